/**
 * Where the machine's CPU went during a run, process by process, read from /proc (Linux):
 * the service, PostgreSQL's backends for the bench's database and its shared helpers,
 * Redis, Dovecot and the bench itself. Two cores are the budget the issue measures in, so a
 * run's CPU seconds say which process would saturate first.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';

/** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** utime + stime of a process, seconds; undefined once it has gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields count from its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** `root` and every process below it. */
export function processTree(root: number): number[] {
  const pids = allPids();
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const pid of pids) {
      const parent = parentOf(pid);
      if (!tree.has(pid) && parent !== undefined && tree.has(parent)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

/** Pids whose command line contains `text`. */
export function pidsMatching(text: string): number[] {
  return allPids().filter((pid) => pid !== process.pid && cmdline(pid).includes(text));
}

/** CPU seconds the whole machine has been busy (all cores: not idle, not waiting for I/O). */
export function machineBusySeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1);
  const ticks = cpu.map(Number);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - ticks[3]! - ticks[4]!) / TICKS;
}

/** A named group of processes whose CPU is read at the start and at the end of a run. */
export interface CpuGroup {
  name: string;
  /** The group's pids now (backends and IMAP processes come and go). */
  pids: number[] | (() => Promise<number[]> | number[]);
}

export interface CpuReading {
  name: string;
  /** CPU seconds used between the two readings (a process born meanwhile counts from 0). */
  seconds: number;
}

/** Reads every group now; `finish` reads them again and gives each group's CPU seconds since. */
export async function cpuMeter(groups: CpuGroup[]): Promise<{ finish(): Promise<CpuReading[]> }> {
  const read = async () =>
    Promise.all(
      groups.map(async (g) => {
        const byPid = new Map<number, number>();
        const pids = typeof g.pids === 'function' ? await g.pids() : g.pids;
        for (const pid of pids) byPid.set(pid, cpuSeconds(pid) ?? 0);
        return byPid;
      }),
    );
  const everyPid = () => new Map(allPids().map((pid) => [pid, cpuSeconds(pid) ?? 0]));
  const before = await read();
  const allBefore = everyPid();
  const busyBefore = machineBusySeconds();
  return {
    async finish() {
      const after = await read();
      const busy = machineBusySeconds() - busyBefore;
      // Named, so a run disturbed by something else (a test suite) says by what.
      const grouped = new Set(after.flatMap((m) => [...m.keys()]));
      const others = [...everyPid()]
        .filter(([pid]) => !grouped.has(pid))
        .map(([pid, s]) => ({ pid, seconds: s - (allBefore.get(pid) ?? 0) }))
        .filter((o) => o.seconds >= 0.5)
        .sort((a, b) => b.seconds - a.seconds)
        .slice(0, 3)
        .map((o) => `${cmdline(o.pid).slice(0, 60) || o.pid} ${o.seconds.toFixed(1)} s`);
      const readings = groups.map((g, i) => {
        let seconds = 0;
        for (const [pid, s] of after[i]!) seconds += s - (before[i]!.get(pid) ?? 0);
        return { name: g.name, seconds };
      });
      // Anything else that ran meanwhile (a test suite, say) took CPU from the run.
      const measured = readings.reduce((sum, r) => sum + r.seconds, 0);
      const name = `everything else on the machine${others.length ? ` (most: ${others.join('; ')})` : ''}`;
      return [...readings, { name, seconds: busy - measured }];
    },
  };
}

/** The application_name bench:pipeline gives the service's sessions (in its DATABASE_URL). */
export const SERVICE_APPLICATION = 'claim-intake-service';

/**
 * The bench database's backends serving the service, or (`bench`) the bench's own sessions:
 * its polling for finished claims has a cost of its own, which is not the service's.
 */
export function backendsOf(
  pool: pg.Pool,
  database: string,
  whose: 'service' | 'bench',
): CpuGroup['pids'] {
  return async () =>
    (
      await pool.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = $1
            AND (application_name = $2) = $3`,
        [database, SERVICE_APPLICATION, whose === 'service'],
      )
    ).rows.map((r) => r.pid);
}

/** PostgreSQL's shared helpers (WAL writer, checkpointer, background writer, autovacuum). */
export function postgresHelpers(): number[] {
  return allPids().filter((pid) =>
    /^postgres: .*(walwriter|checkpointer|background writer|autovacuum)/.test(cmdline(pid)),
  );
}

export function printCpu(readings: CpuReading[], seconds: number, claims: number): void {
  const total = readings.reduce((s, r) => s + r.seconds, 0);
  console.log(
    `CPU over ${seconds.toFixed(1)} s (${(2 * seconds).toFixed(1)} core-seconds on two cores): ${total.toFixed(1)} s used`,
  );
  for (const r of readings)
    console.log(
      `  ${r.name.padEnd(38)} ${r.seconds.toFixed(2).padStart(7)} s  ${((100 * r.seconds) / seconds).toFixed(0).padStart(3)}% of a core  ${((1000 * r.seconds) / claims).toFixed(2).padStart(6)} ms/claim`,
    );
}
