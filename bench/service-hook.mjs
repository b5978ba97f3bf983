// Preloaded into bench:pipeline's service child (`node --import …/service-hook.mjs`): counts
// what the service asks of PostgreSQL and Redis, by pipeline stage, and how busy its event
// loop is, without touching src/. A stage is the BullMQ queue whose job is running (an
// AsyncLocalStorage context entered around Worker.processJob, so the job's queries, its
// hand-on to the next queue and its completion are all its stage's); anything outside a job
// (intake, sweeps, probes) is named by the first src/ file on its stack.
//
// On SIGUSR2 it writes a snapshot (cumulative counts, CPU, event-loop utilisation, GC, RSS,
// the monotonic clock in µs for windowing a --cpu-prof profile) to
// `${BENCH_HOOK_DIR}/snap-N.json`; the bench diffs two snapshots around a run.
// Plain JavaScript: it runs before bin/claim-intake.js registers tsx.
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { createRequire } from 'node:module';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';

const dir = process.env.BENCH_HOOK_DIR;
const profileDir = process.env.BENCH_CPU_PROF;
delete process.env.BENCH_HOOK_DIR;
delete process.env.BENCH_CPU_PROF;
const require = createRequire(import.meta.url);
const stage = new AsyncLocalStorage();

/** stage → { queries, queryMs, connects, connectWaitMs, connectWaits[], redis: {cmd: n} } */
const byStage = new Map();
/** stage and normalised SQL → { stage, sql, n, ms, full?, params? } */
const bySql = new Map();
const scripts = new Map(); // sha1 of a Lua script → its name (BullMQ's defineCommand names)

function bucket(name) {
  let b = byStage.get(name);
  if (!b) {
    b = { queries: 0, queryMs: 0, connects: 0, connectWaitMs: 0, connectWaits: [], redis: {} };
    byStage.set(name, b);
  }
  return b;
}

/** The stage running now: the job's queue, else the first src/ file on the stack. */
function currentStage() {
  const job = stage.getStore();
  if (job) return job;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const files = [...stack.matchAll(/\/src\/([\w/.-]+)\.ts/g)].map((m) => m[1]);
  const caller = files.find((f) => f !== 'store/database');
  // No src/ frame: an async continuation inside a library (BullMQ fetching the next job,
  // or adding the jobs the intake enqueued after its own await).
  return `outside jobs: ${caller ?? 'library (BullMQ fetch, enqueue)'}`;
}

const normalised = new Map();
function normalise(text) {
  let short = normalised.get(text);
  if (short === undefined) {
    short = String(text).replace(/\s+/g, ' ').trim().slice(0, 140);
    normalised.set(text, short);
  }
  return short;
}

const pg = require('pg');
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, values, callback) {
  const name = currentStage();
  const text = normalise(typeof config === 'string' ? config : (config?.text ?? 'submittable'));
  const b = bucket(name);
  b.queries++;
  const key = `${name}\0${text}`;
  let s = bySql.get(key);
  if (!s) {
    s = { stage: name, sql: text, n: 0, ms: 0 };
    // The first call's full text and parameters, so the bench can EXPLAIN it afterwards
    // (not when a parameter is binary: a message's or a reply's source).
    const params = Array.isArray(values) ? values : (config?.values ?? []);
    if (!params.some((v) => Buffer.isBuffer(v))) {
      s.full = typeof config === 'string' ? config : config?.text;
      s.params = params;
    }
    bySql.set(key, s);
  }
  s.n++;
  const started = performance.now();
  const took = () => {
    const ms = performance.now() - started;
    b.queryMs += ms;
    s.ms += ms;
  };
  if (typeof values === 'function') {
    const cb = values;
    return query.call(this, config, (e, r) => {
      took();
      cb(e, r);
    });
  }
  if (typeof callback === 'function') {
    return query.call(this, config, values, (e, r) => {
      took();
      callback(e, r);
    });
  }
  const result = query.call(this, config, values);
  if (result && typeof result.then === 'function') result.then(took, took);
  return result;
};

// Waiting for a pooled connection: pg-pool's query() calls connect(callback) itself. A
// waiting callback is called by whoever releases a client next: it is bound to its caller's
// context, so the statement it then runs counts for the caller's stage.
const connect = pg.Pool.prototype.connect;
pg.Pool.prototype.connect = function (callback) {
  const b = bucket(currentStage());
  const started = performance.now();
  const waited = () => {
    const ms = performance.now() - started;
    b.connects++;
    b.connectWaitMs += ms;
    b.connectWaits.push(ms);
  };
  if (typeof callback === 'function')
    return connect.call(
      this,
      AsyncResource.bind((e, client, release) => {
        waited();
        callback(e, client, release);
      }),
    );
  const result = connect.call(this);
  result.then(waited, waited);
  return result;
};

// An experiment's knob, not the service's: BENCH_PG_POOL_MAX sizes the pool the service
// builds (src/store/database.ts fixes it at 10).
const poolMax = Number(process.env.BENCH_PG_POOL_MAX);
delete process.env.BENCH_PG_POOL_MAX;
if (poolMax > 0) {
  const Sized = pg.Pool;
  pg.Pool = class extends Sized {
    constructor(options) {
      super({ ...options, max: poolMax });
    }
  };
}

const ioredis = require('ioredis');
const Redis = ioredis.Redis ?? ioredis.default ?? ioredis;
const define = Redis.prototype.defineCommand;
Redis.prototype.defineCommand = function (name, definition) {
  scripts.set(createHash('sha1').update(definition.lua).digest('hex'), name.split(':')[0]);
  return define.call(this, name, definition);
};
const send = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function (command, stream) {
  if (!command.isTraced) {
    const b = bucket(currentStage());
    const name =
      command.name === 'evalsha' || command.name === 'eval'
        ? `script ${scripts.get(String(command.args[0])) ?? '?'}`
        : command.name;
    b.redis[name] = (b.redis[name] ?? 0) + 1;
  }
  return send.call(this, command, stream);
};

const { Worker } = require('bullmq');
const processJob = Worker.prototype.processJob;
Worker.prototype.processJob = function (...args) {
  return stage.run(this.name, () => processJob.apply(this, args));
};

const gc = { count: 0, ms: 0 };
// The largest of each memory figure seen after a GC since the last snapshot: whether a peak
// of RSS is V8's heap or buffers outside it (message sources, sockets).
let memory = {};
const noteMemory = () => {
  for (const [key, value] of Object.entries(process.memoryUsage()))
    memory[key] = Math.max(memory[key] ?? 0, value);
};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.count++;
    gc.ms += entry.duration;
  }
  noteMemory();
}).observe({ entryTypes: ['gc'] });
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();

// With BENCH_CPU_PROF (Node 20 refuses --cpu-prof in NODE_OPTIONS): V8's sampling profiler
// from the first snapshot to the second, so the profile holds the run and not start-up,
// written as `${BENCH_CPU_PROF}/service-PID.cpuprofile` (the format --cpu-prof writes).
const profiler = profileDir ? new Session() : undefined;
let profiling = false;
const post = (method, params) =>
  new Promise((resolve, reject) =>
    profiler.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );

async function toggleProfiler() {
  if (!profiler) return;
  if (!profiling) {
    profiler.connect();
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 500 });
    await post('Profiler.start');
    profiling = true;
    return;
  }
  const { profile } = await post('Profiler.stop');
  writeFileSync(`${profileDir}/service-${process.pid}.cpuprofile`, JSON.stringify(profile));
  profiler.disconnect();
  profiling = false;
}

let snaps = 0;
process.on('SIGUSR2', async () => {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  const snapshot = {
    monoUs: Number(process.hrtime.bigint() / 1000n),
    epochMs: Date.now(),
    cpu: process.cpuUsage(),
    // Involuntary: the kernel took the CPU from the process (a woken PostgreSQL backend, say).
    switches: {
      voluntary: process.resourceUsage().voluntaryContextSwitches,
      involuntary: process.resourceUsage().involuntaryContextSwitches,
    },
    elu: performance.eventLoopUtilization(),
    gc: { ...gc },
    // Event-loop delay since the previous snapshot (then reset), ms: the histogram records
    // the time between 10 ms timer ticks, so the tick itself is taken off.
    lag: {
      p50: Math.max(0, lag.percentile(50) / 1e6 - 10),
      p99: Math.max(0, lag.percentile(99) / 1e6 - 10),
      max: Math.max(0, lag.max / 1e6 - 10),
    },
    rssKb: kb('VmRSS'),
    hwmKb: kb('VmHWM'),
    heapUsed: process.memoryUsage().heapUsed,
    memoryPeaks: memory,
    stages: Object.fromEntries(byStage),
    sql: [...bySql.values()],
  };
  lag.reset();
  memory = {};
  noteMemory();
  // The snapshot file is written last: the bench waits for it, and so for the profile too.
  await toggleProfiler();
  writeFileSync(`${dir}/snap-${++snaps}.json`, JSON.stringify(snapshot));
});
