/**
 * A private Dovecot IMAP server per test: own config, temp dir and port; never the system service.
 * Runs `dovecot -F` (foreground) as a child in its own process group, so stop()/kill() can take
 * the master and every imap/auth/log process down together. Needs root (the master must
 * setuid to the `dovecot`/`dovenull` users) and the Debian `dovecot-imapd` package (2.3.x).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { type AddressInfo, createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { waitFor } from './wait.ts';

const run = promisify(execFile);
const DOVECOT = '/usr/sbin/dovecot';
const DOVEADM = '/usr/bin/doveadm';
const SETPRIV = '/usr/bin/setpriv';

export interface DovecotOptions {
  user?: string;
  password?: string;
  /** Fixed port; by default a free ephemeral one. */
  port?: number;
  /** Raw config lines appended at the end (e.g. `imap_idle_notify_interval = 1 secs`). */
  extraConfig?: string;
}

export interface AppendOptions {
  mailbox?: string;
  internalDate?: Date | undefined;
  flags?: string[];
}

export type AppendItem =
  | Buffer
  | string
  | { raw: Buffer | string; internalDate?: Date; flags?: string[] };

export interface DovecotServer {
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
  /** imap://user:pass@127.0.0.1:port/INBOX */
  url: string;
  mailDir: string;
  configFile: string;
  /** Kill everything and remove the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Graceful SIGTERM (clients get `* BYE`; Dovecot's master sleeps a fixed 1 s while
   * shutting down), then start again on the same port with the same mail. Revives after kill(). */
  restart(): Promise<void>;
  /** SIGKILL the whole process group (a crash: open IMAP connections drop). Mail is kept. */
  kill(): Promise<void>;
  setUidValidity(n: number, mailbox?: string): Promise<void>;
  append(raw: Buffer | string, options?: AppendOptions): Promise<{ uid: number | undefined }>;
  /** One connection, MULTIAPPEND batches; per-item date/flags override `options`. */
  appendMany(items: AppendItem[], options?: AppendOptions): Promise<void>;
  count(mailbox?: string): Promise<number>;
  list(mailbox?: string): Promise<{ uid: number; internalDate: Date }[]>;
  /** A connected, logged-in imapflow client (caller logs out). */
  connect(): Promise<ImapFlow>;
  logTail(lines?: number): string;
}

/** Everything still running when the test process exits is killed (sync: 'exit' allows no I/O). */
const live = new Set<() => void>();
process.once('exit', () => {
  for (const cleanup of live) cleanup();
});

/** A port that was free a moment ago (bind 0, read, close). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function dovecotMajorMinor(): Promise<number[]> {
  const { stdout } = await run(DOVECOT, ['--version']);
  const match = /^(\d+)\.(\d+)/.exec(stdout.trim());
  if (!match) throw new Error(`unrecognised dovecot --version: ${stdout}`);
  return [Number(match[1]), Number(match[2])];
}

function systemId(file: string, name: string): number {
  const line = fs.readFileSync(file, 'utf8').match(new RegExp(`^${name}:[^:]*:(\\d+):`, 'm'));
  if (!line) throw new Error(`no '${name}' in ${file}: is dovecot-core installed?`);
  return Number(line[1]);
}

/**
 * No conf.d includes: every setting is here, so the host's /etc/dovecot cannot leak in.
 * `listen` (global) keeps every inet listener on loopback; imaps is disabled (port 0) because
 * ssl = no and port 993 may be taken by a system Dovecot. mail_fsync = never makes APPEND
 * fast; the data still survives stop/kill (only an OS crash would lose it). Dovecot 2.4 renamed
 * most settings; that branch follows its upgrade notes but is untested (this machine has 2.3).
 */
function config(dir: string, port: number, [major, minor]: number[], extra: string): string {
  const v24 = major! > 2 || (major === 2 && minor! >= 4);
  const pick = (old: string, now: string) => (v24 ? now : old).trim();
  return `${v24 ? `dovecot_config_version = ${major}.${minor}.0\ndovecot_storage_version = ${major}.${minor}.0` : ''}
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
${pick('disable_plaintext_auth = no', 'auth_allow_cleartext = yes')}
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
first_valid_gid = 1
mail_fsync = never
${pick(
  `mail_location = maildir:${dir}/mail/%u`,
  `mail_driver = maildir
mail_path = ${dir}/mail/%{user}
mail_home = ${dir}/home/%{user}
mail_uid = dovecot
mail_gid = dovecot`,
)}
namespace inbox {
  inbox = yes
  separator = /
}
${pick(
  `passdb {
  driver = passwd-file
  args = ${dir}/passwd
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${dir}/home/%u
}`,
  `passdb passwd-file {
  passwd_file_path = ${dir}/passwd
}
userdb static {
}`,
)}
service imap-login {
  inet_listener imap {
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
${extra}
`;
}

/**
 * appendMany speaks raw IMAP: each APPEND is its own Dovecot transaction (~2-3 ms: uidlist lock,
 * file write, index update), so imapflow manages only ~300/s. MULTIAPPEND (RFC 3502, advertised
 * by Dovecot) saves a whole batch in one transaction; LITERAL+ avoids continuation round trips.
 */
const MULTIAPPEND_BATCH = 1000;
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

function imapDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `"${p(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000"`;
}

function imapString(s: string): string {
  if (!/^[\x20-\x7e]*$/.test(s))
    throw new Error(`appendMany: non-ASCII mailbox '${s}' unsupported`);
  return `"${s.replace(/[\\"]/g, '\\$&')}"`;
}

/** Minimal raw IMAP client: one command in flight, tagged replies only (no literals come back). */
async function rawSession(port: number, user: string, password: string) {
  const socket = createConnection({ host: '127.0.0.1', port });
  let buffer = '';
  let counter = 0;
  let waiting: { done: RegExp; resolve: () => void; reject: (e: Error) => void } | undefined;
  const settle = (error?: Error) => {
    const w = waiting;
    const reply = w && (error ? null : w.done.exec(buffer));
    if (!w || (!error && !reply)) return;
    waiting = undefined;
    buffer = '';
    if (error || reply?.[1] !== 'OK') w.reject(error ?? new Error(`IMAP: ${reply?.[0]}`));
    else w.resolve();
  };
  const expect = (done: RegExp, data?: Buffer) => {
    const reply = new Promise<void>((resolve, reject) => {
      waiting = { done, resolve, reject };
    });
    if (data) socket.write(data);
    settle();
    return reply;
  };
  const command = (parts: (string | Buffer)[]) => {
    const tag = `m${++counter}`;
    const data = Buffer.concat([`${tag} `, ...parts, '\r\n'].map((p) => Buffer.from(p)));
    return expect(new RegExp(`^${tag} (OK|NO|BAD)[^\r\n]*\r?\n`, 'm'), data);
  };
  socket.on('data', (chunk) => {
    buffer += chunk.toString('latin1');
    settle();
  });
  socket.on('error', (error) => settle(error));
  socket.on('close', () => settle(new Error('connection closed')));
  socket.setTimeout(10_000, () => socket.destroy(new Error('IMAP timeout')));
  try {
    // Not just any `* OK`: while auth is starting Dovecot first greets with
    // "* OK Waiting for authentication process to respond..", then with the real greeting.
    await expect(/^\* (OK) (?!Waiting for auth)[^\r\n]*\r?\n/m);
    await command([`LOGIN ${imapString(user)} ${imapString(password)}`]);
  } catch (error) {
    socket.destroy();
    throw error;
  }
  return {
    multiAppend(items: AppendItem[], defaults: AppendOptions) {
      const parts: (string | Buffer)[] = [`APPEND ${imapString(defaults.mailbox ?? 'INBOX')}`];
      for (const item of items) {
        const one = typeof item === 'string' || Buffer.isBuffer(item) ? { raw: item } : item;
        const { internalDate = defaults.internalDate, flags = defaults.flags ?? [] } = one;
        const body = Buffer.from(one.raw);
        const date = internalDate ? ` ${imapDate(internalDate)}` : '';
        parts.push(` (${flags.join(' ')})${date} {${body.length}+}\r\n`, body);
      }
      return command(parts);
    },
    close: () => void socket.destroy(),
  };
}

export async function startDovecot(options: DovecotOptions = {}): Promise<DovecotServer> {
  if (process.getuid?.() !== 0)
    throw new Error('startDovecot needs root (dovecot drops privileges)');
  if (!fs.existsSync(DOVECOT)) throw new Error(`${DOVECOT} missing: apt-get install dovecot-imapd`);
  const version = await dovecotMajorMinor();
  const user = options.user ?? 'intake';
  const password = options.password ?? 'intake-secret';
  let port = options.port ?? (await freePort());
  const dir = fs.mkdtempSync(join(tmpdir(), 'dovecot-test-'));
  for (const sub of ['run', 'state', 'home', 'mail']) fs.mkdirSync(join(dir, sub));
  const configFile = join(dir, 'dovecot.conf');
  const writeConfig = () =>
    fs.writeFileSync(configFile, config(dir, port, version, options.extraConfig ?? ''));
  writeConfig();
  fs.writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${password}\n`);
  // Mail processes run as `dovecot` and must create maildirs below the temp dir.
  const uid = systemId('/etc/passwd', 'dovecot');
  const gid = systemId('/etc/group', 'dovecot');
  for (const path of [dir, 'run', 'state', 'home', 'mail', 'passwd', 'dovecot.conf']) {
    fs.chownSync(path === dir ? dir : join(dir, path), uid, gid);
  }

  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  let output = '';
  let stopped = false;
  // Negative pid = the process group: master, imap, auth, log... (spawned detached, so it leads).
  const killGroup = () => {
    try {
      if (child?.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // group already empty
    }
  };
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  const cleanupOnExit = () => {
    killGroup();
    removeDir();
  };
  const logTail = (lines = 30) => {
    const logFile = join(dir, 'dovecot.log');
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    return `${log}${output}`.trimEnd().split('\n').slice(-lines).join('\n');
  };

  const shutdown = async (graceful: boolean) => {
    const proc = child;
    if (!proc) return;
    if (graceful && proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM'); // the master stops its children, telling clients `* BYE`
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    }
    // Also sweeps stragglers: an imap process outlives its master until its client hangs up.
    killGroup();
    await exited;
    child = undefined;
  };

  const launch = async () => {
    // setpriv --pdeathsig: the master dies even if the test process is SIGKILLed; its children
    // exit on their own once the master is gone and their clients disconnect.
    const [cmd, args] = fs.existsSync(SETPRIV)
      ? [SETPRIV, ['--pdeathsig', 'KILL', DOVECOT, '-F', '-c', configFile]]
      : [DOVECOT, ['-F', '-c', configFile]];
    output = '';
    const proc = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', resolve));
    for (const stream of [proc.stdout, proc.stderr]) {
      stream.on('data', (d) => {
        output += d;
      });
    }
    // Ready means a real LOGIN succeeds (auth and userdb work), not just an open port.
    const dead = () => proc.exitCode !== null || proc.signalCode !== null;
    const login = async () => {
      (await rawSession(port, user, password)).close();
      return true;
    };
    try {
      // Racing `exited`: if the port belongs to someone else, the probe may just hang.
      await waitFor(() => dead() || Promise.race([login(), exited.then(() => true)]), {
        timeoutMs: 15_000,
        message: `no IMAP login on port ${port}`,
      });
      if (dead()) throw new Error(`dovecot exited with ${proc.exitCode ?? proc.signalCode}`);
    } catch (error) {
      await shutdown(false);
      throw new Error(`${(error as Error).message}\n--- dovecot log ---\n${logTail()}`);
    }
  };

  const connect = async () => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      auth: { user, pass: password },
      logger: false,
      disableAutoIdle: true,
    });
    await client.connect();
    return client;
  };
  const withClient = async <T>(fn: (client: ImapFlow) => Promise<T>): Promise<T> => {
    const client = await connect();
    try {
      return await fn(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  };

  live.add(cleanupOnExit);
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (error) {
      // Another process may take the free port between freePort() and Dovecot's bind.
      if (!options.port && attempt < 3 && /Address already in use/.test(String(error))) {
        port = await freePort();
        writeConfig();
        continue;
      }
      live.delete(cleanupOnExit);
      removeDir();
      throw error;
    }
  }

  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    url: `imap://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/INBOX`,
    mailDir: join(dir, 'mail', user),
    configFile,
    logTail,
    connect,
    async stop() {
      if (stopped) return;
      stopped = true;
      await shutdown(false); // graceful would cost 1 s and the mail is deleted anyway
      live.delete(cleanupOnExit);
      removeDir();
    },
    async restart() {
      if (stopped) throw new Error('restart() after stop(): the mail is gone');
      await shutdown(true);
      await launch();
    },
    kill: () => shutdown(false),
    async setUidValidity(n, mailbox = 'INBOX') {
      // Works with the server running (doveadm edits the index/uidlist under Dovecot's own
      // locks); new sessions see the new value. A session with the mailbox selected gets
      // disconnected by Dovecot when it notices.
      const args = ['-c', configFile, 'mailbox', 'update', '-u', user, '--uid-validity'];
      await run(DOVEADM, [...args, String(n), mailbox]);
    },
    append: (raw, opts = {}) =>
      withClient(async (client) => {
        const { mailbox = 'INBOX', flags, internalDate } = opts;
        const result = await client.append(mailbox, raw, flags, internalDate);
        if (!result) throw new Error('APPEND failed');
        return { uid: result.uid };
      }),
    async appendMany(items, opts = {}) {
      const session = await rawSession(port, user, password);
      try {
        for (let i = 0; i < items.length; i += MULTIAPPEND_BATCH) {
          await session.multiAppend(items.slice(i, i + MULTIAPPEND_BATCH), opts);
        }
      } finally {
        session.close();
      }
    },
    count: (mailbox = 'INBOX') =>
      withClient(async (client) => {
        const status = await client.status(mailbox, { messages: true });
        if (!status || status.messages === undefined) throw new Error(`STATUS ${mailbox} failed`);
        return status.messages;
      }),
    list: (mailbox = 'INBOX') =>
      withClient(async (client) => {
        const box = await client.mailboxOpen(mailbox, { readOnly: true });
        if (box.exists === 0) return [];
        const messages = await client.fetchAll('1:*', { uid: true, internalDate: true });
        return messages.map((m) => ({ uid: m.uid, internalDate: new Date(m.internalDate ?? 0) }));
      }),
  };
}
