/**
 * `npx tsx bench/profile-summary.ts <file.cpuprofile | dir> [--from-us N --to-us N] [--top 25]`:
 * where a `node --cpu-prof` profile's main-thread time went. With a window (bench:pipeline
 * prints the run's on the service's monotonic clock, the clock V8 stamps samples with) only
 * the run's samples count, not start-up. Prints:
 * - time by group, self (where the CPU was when sampled; a builtin such as JSON.parse counts
 *   for its caller's group) and total (stacks that pass through the group at all);
 * - time by stage (the pipeline file nearest the sample's leaf: assess, settle, reply,
 *   intake, …), and within each stage by group, self;
 * - the functions with the most self and total time.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { categoryOf, ownPath, stageOf } from './profile-categories.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'from-us': { type: 'string' },
    'to-us': { type: 'string' },
    top: { type: 'string', default: '25' },
  },
});
const target = positionals[0];
if (!target)
  throw new Error('usage: profile-summary.ts <file.cpuprofile | dir> [--from-us N --to-us N]');
const file = statSync(target).isDirectory()
  ? readdirSync(target)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(target, f))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]!
  : target;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const from = Number(values['from-us'] ?? profile.startTime);
const to = Number(values['to-us'] ?? profile.endTime);
const top = Number(values.top);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** Per node: its group (a builtin inherits its caller's), stage, and its stack's groups. */
interface NodeInfo {
  category: string;
  stage: string | undefined;
  path: Set<string>;
  fns: string[];
}
const info = new Map<number, NodeInfo>();
function nodeInfo(id: number): NodeInfo {
  const known = info.get(id);
  if (known) return known;
  const node = byId.get(id)!;
  const up: NodeInfo | undefined = parent.has(id) ? nodeInfo(parent.get(id)!) : undefined;
  const { url, functionName, lineNumber } = node.callFrame;
  const category = categoryOf(url, functionName) ?? up?.category ?? 'V8/native (program)';
  const stage = stageOf(url) ?? up?.stage;
  const path = new Set(up?.path ?? []);
  path.add(category);
  const where = ownPath(url) ?? url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\//, '');
  const fn = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
  const result: NodeInfo = { category, stage, path, fns: [...(up?.fns ?? []), fn] };
  info.set(id, result);
  return result;
}

const selfBy = new Map<string, number>();
const totalBy = new Map<string, number>();
const stageBy = new Map<string, number>();
const stageCategory = new Map<string, Map<string, number>>();
const fnSelf = new Map<string, number>();
const fnTotal = new Map<string, number>();
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

let t = profile.startTime;
let windowUs = 0;
let idleUs = 0;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i]!;
  // A sample stands for the time until the next one.
  const us = profile.timeDeltas[i + 1] ?? 0;
  if (t < from || t > to) continue;
  windowUs += us;
  const node = nodeInfo(profile.samples[i]!);
  if (node.category === 'idle') {
    idleUs += us;
    continue;
  }
  add(selfBy, node.category, us);
  for (const c of node.path) if (c !== 'root') add(totalBy, c, us);
  const stage =
    node.stage ??
    (node.category === 'garbage collector' ? 'garbage collector' : `no stage: ${node.category}`);
  add(stageBy, stage, us);
  if (!stageCategory.has(stage)) stageCategory.set(stage, new Map());
  add(stageCategory.get(stage)!, node.category, us);
  add(fnSelf, node.fns.at(-1)!, us);
  for (const fn of new Set(node.fns)) add(fnTotal, fn, us);
}

const busyUs = windowUs - idleUs;
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
const pct = (us: number) => `${((100 * us) / busyUs).toFixed(1).padStart(5)}%`;
const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);

console.log(`profile: ${file}`);
console.log(
  `window: ${((to - from) / 1e6).toFixed(1)} s; main thread busy ${(busyUs / 1e6).toFixed(1)} s (${((100 * busyUs) / windowUs).toFixed(0)}%), idle ${(idleUs / 1e6).toFixed(1)} s; percentages are of busy time`,
);
console.log('\nby group: self, total (incl. callees)');
for (const [c, us] of sorted(selfBy))
  console.log(
    `  ${c.padEnd(58)} ${ms(us)} ${pct(us)}   ${ms(totalBy.get(c) ?? 0)} ${pct(totalBy.get(c) ?? 0)}`,
  );
console.log('\nby stage (self time of everything under it), and its largest groups:');
for (const [stage, us] of sorted(stageBy)) {
  if (us < busyUs / 200) continue;
  const parts = sorted(stageCategory.get(stage)!)
    .slice(0, 6)
    .map(([c, v]) => `${c.replace(/ \(.*\)$/, '')} ${((100 * v) / us).toFixed(0)}%`);
  console.log(`  ${stage.padEnd(58)} ${ms(us)} ${pct(us)}   ${parts.join(', ')}`);
}
console.log(`\ntop ${top} functions by self time:`);
for (const [fn, us] of sorted(fnSelf).slice(0, top))
  console.log(`  ${ms(us)} ${pct(us)}  ${fn.slice(0, 120)}`);
console.log(`\ntop ${top} functions by total time:`);
for (const [fn, us] of sorted(fnTotal).slice(0, top))
  console.log(`  ${ms(us)} ${pct(us)}  ${fn.slice(0, 120)}`);
