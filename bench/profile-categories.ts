/**
 * How bench/profile-summary.ts names what a profile's frames belong to: a package group
 * (mail parsing, the PostgreSQL client, BullMQ and ioredis, templates, …) or a part of our
 * own code, and the pipeline stage a stack works for.
 */

/** Packages by the group they are reported in; a package not named here is its own group. */
const GROUPS: Record<string, string[]> = {
  'mail parsing (mailparser, libmime, iconv, html-to-text)': [
    'mailparser',
    'libmime',
    'libqp',
    'libbase64',
    'iconv-lite',
    'encoding-japanese',
    'html-to-text',
    'htmlparser2',
    'domhandler',
    'domutils',
    'dom-serializer',
    'entities',
    'selderee',
    '@selderee/plugin-htmlparser2',
    'parseley',
    'leac',
    'peberminta',
    'deepmerge',
    'he',
    'linkify-it',
    'uc.micro',
    'punycode.js',
    'tlds',
    '@zone-eu/mailsplit',
    'mailsplit',
  ],
  'PostgreSQL client (pg)': [
    'pg',
    'pg-protocol',
    'pg-types',
    'pg-pool',
    'pgpass',
    'pg-int8',
    'postgres-array',
    'postgres-bytea',
    'postgres-date',
    'postgres-interval',
    'pg-connection-string',
  ],
  'BullMQ + ioredis': [
    'bullmq',
    'ioredis',
    '@ioredis/commands',
    'redis-parser',
    'redis-errors',
    'cluster-key-slot',
    'denque',
    'standard-as-callback',
    'msgpackr',
    'cron-parser',
    'luxon',
    'uuid',
    'semver',
    'tslib',
    'lodash.defaults',
    'lodash.isarguments',
    'debug',
    'ms',
  ],
  'templates (handlebars)': ['handlebars', 'source-map', 'neo-async', 'wordwrap'],
  'nodemailer (compose, SMTP client)': ['nodemailer'],
  'imapflow (IMAP client)': ['imapflow', 'imap-handler'],
  'logging (pino)': [
    'pino',
    'pino-std-serializers',
    'sonic-boom',
    'thread-stream',
    'fast-redact',
    'quick-format-unescaped',
    'atomic-sleep',
    'on-exit-leak-free',
    'safe-stable-stringify',
    'real-require',
    'process-warning',
  ],
  'tsx / esbuild (loading TypeScript)': ['tsx', 'esbuild', 'get-tsconfig', 'resolve-pkg-maps'],
};
const GROUP_OF = new Map(Object.entries(GROUPS).flatMap(([g, pkgs]) => pkgs.map((p) => [p, g])));

/** Our own files by the part of the service they are reported as, first match wins. */
const OWN: [RegExp, string][] = [
  [/^src\/domain\//, 'ours: the engine (src/domain)'],
  [/^src\/store\/record-slices\.ts$/, 'ours: record slices'],
  [/^src\/store\//, 'ours: stores (src/store)'],
  [/^src\/mail\//, 'ours: mail parsing (src/mail)'],
  [/^src\/reply\//, 'ours: reply render and compose (src/reply)'],
  [/^src\/pipeline\//, 'ours: pipeline stages (src/pipeline)'],
  [/^src\/intake\//, 'ours: intake (src/intake)'],
  [/^src\//, 'ours: other src/'],
  [/^bench\//, 'bench instrumentation (service-hook.mjs)'],
];

/** The package a node_modules path belongs to (scoped names included). */
function packageOf(url: string): string | undefined {
  const i = url.lastIndexOf('/node_modules/');
  if (i < 0) return undefined;
  const parts = url.slice(i + '/node_modules/'.length).split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/**
 * The repository-relative path of one of our files (src/…, bench/…); the built service's
 * dist/x.js is reported as its source, src/x.ts.
 */
export function ownPath(url: string): string | undefined {
  if (url.includes('/node_modules/')) return undefined;
  const path = /\/((?:src|bench|dist)\/.+?)(?:\?.*)?$/.exec(url)?.[1];
  return path?.startsWith('dist/') ? `src/${path.slice(5).replace(/\.js$/, '.ts')}` : path;
}

/** The group a frame's code belongs to; undefined for a frame without a script (a builtin). */
export function categoryOf(url: string, functionName: string): string | undefined {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'garbage collector';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'V8/native (program)';
    if (functionName === '(root)') return 'root';
    return undefined;
  }
  const pkg = packageOf(url);
  if (pkg) return GROUP_OF.get(pkg) ?? pkg;
  if (url.startsWith('node:internal/streams') || url === 'node:stream') return 'Node: streams';
  if (/^node:(net|internal\/stream_base_commons|internal\/net|internal\/tcp)/.test(url))
    return 'Node: sockets';
  if (url.startsWith('node:internal/crypto') || url === 'node:crypto') return 'Node: crypto';
  if (/^node:(internal\/)?(fs|fs\/)/.test(url)) return 'Node: fs';
  if (/^node:(internal\/)?(timers|process\/task_queues|async_hooks)/.test(url))
    return 'Node: timers, ticks, async hooks';
  if (url.startsWith('node:')) return 'Node: other core';
  const own = ownPath(url);
  if (own) return OWN.find(([re]) => re.test(own))?.[1] ?? 'ours: other';
  return 'other';
}

/** Files that say which stage a stack works for (the first found from the leaf decides). */
const STAGE_FILES: [RegExp, string][] = [
  [/^src\/pipeline\/assess-claim\.ts$/, 'assess'],
  [/^src\/pipeline\/settle(-entries)?\.ts$/, 'settle'],
  [/^src\/pipeline\/reply(-send)?\.ts$/, 'reply'],
  [/^src\/pipeline\/sweeps\.ts$/, 'sweeps'],
  [/^src\/(intake\/|store\/messages-store\.ts$)/, 'intake'],
  [/^src\/ops\//, 'ops (metrics, readiness)'],
  [/^src\/web\//, 'web'],
  [/^src\/pipeline\/workers\.ts$/, 'job wrapper (workers.ts)'],
];

export function stageOf(url: string): string | undefined {
  const own = ownPath(url);
  return own ? STAGE_FILES.find(([re]) => re.test(own))?.[1] : undefined;
}
