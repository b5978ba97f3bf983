/**
 * bench:pipeline's figures from the service child's two hook snapshots around a run: its
 * CPU and event-loop use, and per claim, by stage, the database statements, waits for a
 * pooled connection and Redis commands (bench/service-hook.mjs counts them).
 */
import type { HookSnapshot, StageCounts, StatementCount } from './service-child.ts';
import { percentile } from './support.ts';

export interface StageDelta {
  stage: string;
  queries: number;
  queryMs: number;
  connects: number;
  connectWaitMs: number;
  /** The waits for a pooled connection during the run, ms, ascending. */
  connectWaits: number[];
  redis: Record<string, number>;
}

/** What happened between two snapshots. */
export interface HookDelta {
  seconds: number;
  cpuSeconds: number;
  /** Of which in the kernel (system time): syscalls, and the loopback TCP stack they run. */
  systemSeconds: number;
  /** Context switches: voluntary (waiting for I/O), involuntary (preempted). */
  switches: { voluntary: number; involuntary: number };
  /** Event-loop utilisation over the run (0-1): 1 means the main thread never waited. */
  elu: number;
  gcMs: number;
  gcCount: number;
  lag: HookSnapshot['lag'];
  memoryPeaks: HookSnapshot['memoryPeaks'];
  /** V8 heap used and RSS when the run started (the service idle), bytes. */
  idle: { heapUsed: number; rss: number };
  stages: StageDelta[];
  sql: StatementCount[];
}

export function hookDelta(before: HookSnapshot, after: HookSnapshot): HookDelta {
  const empty: StageCounts = {
    queries: 0,
    queryMs: 0,
    connects: 0,
    connectWaitMs: 0,
    connectWaits: [],
    redis: {},
  };
  const stages = Object.entries(after.stages).map(([stage, a]) => {
    const b = before.stages[stage] ?? empty;
    const redis: Record<string, number> = {};
    for (const [cmd, n] of Object.entries(a.redis)) {
      const d = n - (b.redis[cmd] ?? 0);
      if (d > 0) redis[cmd] = d;
    }
    return {
      stage,
      queries: a.queries - b.queries,
      queryMs: a.queryMs - b.queryMs,
      connects: a.connects - b.connects,
      connectWaitMs: a.connectWaitMs - b.connectWaitMs,
      connectWaits: a.connectWaits.slice(b.connectWaits.length).sort((x, y) => x - y),
      redis,
    };
  });
  const earlier = new Map(before.sql.map((s) => [`${s.stage}\0${s.sql}`, s]));
  const sql = after.sql
    .map((s) => {
      const b = earlier.get(`${s.stage}\0${s.sql}`);
      return { ...s, n: s.n - (b?.n ?? 0), ms: s.ms - (b?.ms ?? 0) };
    })
    .filter((s) => s.n > 0);
  const active = after.elu.active - before.elu.active;
  const idle = after.elu.idle - before.elu.idle;
  return {
    seconds: (after.monoUs - before.monoUs) / 1e6,
    cpuSeconds: (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1e6,
    systemSeconds: (after.cpu.system - before.cpu.system) / 1e6,
    switches: {
      voluntary: after.switches.voluntary - before.switches.voluntary,
      involuntary: after.switches.involuntary - before.switches.involuntary,
    },
    elu: active / (active + idle),
    gcMs: after.gc.ms - before.gc.ms,
    gcCount: after.gc.count - before.gc.count,
    lag: after.lag,
    memoryPeaks: after.memoryPeaks,
    idle: { heapUsed: before.heapUsed, rss: before.rssKb * 1024 },
    stages: stages.filter((s) => s.queries + s.connects + Object.keys(s.redis).length > 0),
    sql,
  };
}

const per = (n: number, claims: number) => (n / claims).toFixed(2);

export function printHookDelta(d: HookDelta, claims: number): void {
  console.log(
    `service process: ${d.cpuSeconds.toFixed(1)} CPU s (${d.systemSeconds.toFixed(1)} s of it in the kernel) in ${d.seconds.toFixed(1)} s (${((100 * d.cpuSeconds) / d.seconds).toFixed(0)}% of a core, ${((1000 * d.cpuSeconds) / claims).toFixed(2)} ms/claim); event-loop utilisation ${(100 * d.elu).toFixed(0)}%; GC ${d.gcMs.toFixed(0)} ms in ${d.gcCount} pauses; event-loop delay p50 ${d.lag.p50.toFixed(1)} ms, p99 ${d.lag.p99.toFixed(1)} ms, max ${d.lag.max.toFixed(0)} ms`,
  );
  console.log(
    `service context switches per claim: ${per(d.switches.voluntary, claims)} voluntary (waiting), ${per(d.switches.involuntary, claims)} involuntary (preempted)`,
  );
  const m = (key: string) => ((d.memoryPeaks[key] ?? Number.NaN) / 2 ** 20).toFixed(0);
  console.log(
    `service memory, largest after a GC during the run (MB): rss ${m('rss')}, V8 heap total ${m('heapTotal')} (used ${m('heapUsed')}), external ${m('external')} (array buffers ${m('arrayBuffers')}); idle before the run: rss ${(d.idle.rss / 2 ** 20).toFixed(0)}, heap used ${(d.idle.heapUsed / 2 ** 20).toFixed(0)}`,
  );
  console.log(
    'per claim, by stage: SQL statements (their mean time), pooled connections taken (wait p50/p95/max), Redis commands:',
  );
  const order = (s: string) => ['assess', 'settle', 'reply'].indexOf(s) + 1 || 9;
  const stages = [...d.stages].sort(
    (a, b) => order(a.stage) - order(b.stage) || b.queries - a.queries,
  );
  for (const s of stages) {
    const redis = Object.values(s.redis).reduce((x, y) => x + y, 0);
    const w = s.connectWaits;
    console.log(
      `  ${s.stage.slice(0, 44).padEnd(44)} SQL ${per(s.queries, claims).padStart(6)} (${s.queries ? (s.queryMs / s.queries).toFixed(2) : '-'} ms)  connects ${per(s.connects, claims).padStart(5)} (wait ${w.length ? `${percentile(w, 50).toFixed(1)}/${percentile(w, 95).toFixed(1)}/${percentile(w, 100).toFixed(0)}` : '-'} ms)  Redis ${per(redis, claims).padStart(6)}`,
    );
  }
  const totals = d.stages.reduce(
    (t, s) => ({
      q: t.q + s.queries,
      c: t.c + s.connects,
      r: t.r + Object.values(s.redis).reduce((x, y) => x + y, 0),
    }),
    { q: 0, c: 0, r: 0 },
  );
  console.log(
    `  ${'all'.padEnd(44)} SQL ${per(totals.q, claims).padStart(6)}           connects ${per(totals.c, claims).padStart(5)}                    Redis ${per(totals.r, claims).padStart(6)}`,
  );
  for (const s of stages) {
    const top = Object.entries(s.redis)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([cmd, n]) => `${cmd} ${per(n, claims)}`);
    if (top.length) console.log(`  Redis, ${s.stage.slice(0, 30)}: ${top.join(', ')}`);
  }
}

/** Every statement run at least once per 100 claims, per claim, by stage. */
export function printStatements(d: HookDelta, claims: number): void {
  console.log('SQL statements per claim (stage, count/claim, mean ms, text):');
  for (const s of [...d.sql].sort((a, b) => a.stage.localeCompare(b.stage) || b.n - a.n)) {
    if (s.n < claims / 100) continue;
    console.log(
      `  ${s.stage.slice(0, 36).padEnd(36)} ${per(s.n, claims).padStart(5)}  ${(s.ms / s.n).toFixed(2).padStart(6)}  ${s.sql.slice(0, 110)}`,
    );
  }
}
