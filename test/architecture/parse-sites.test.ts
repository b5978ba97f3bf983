/**
 * The rooms of the house (issue #15, "Done when"), checked by reading src/: which features
 * parse raw email, where SQL runs, who writes the audit log, what imports the web layer, and
 * what the domain may import. A rule broken here is a dependency pointing the wrong way; the
 * failure names the file that breaks it. Read as text, no extra dependency.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

interface Source {
  /** From the repository root, with forward slashes: `src/store/claims-store.ts`. */
  path: string;
  text: string;
}

/** Every file under src/ (TypeScript, SQL, the console's static scripts), read once. */
const SOURCES: Source[] = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
  .filter((f) => /\.(ts|sql|js)$/.test(f))
  .sort()
  .map((f) => ({
    path: `src/${f.split('\\').join('/')}`,
    text: readFileSync(join(ROOT, 'src', f), 'utf8'),
  }));
const TS = SOURCES.filter((s) => s.path.endsWith('.ts'));

/**
 * The modules a file imports: static imports and re-exports (statements, so a doc comment
 * quoting one is not counted), dynamic `import('…')`, `require('…')` and createRequire's.
 */
function specifiers(text: string): string[] {
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bcreateRequire\([^)]*\)\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((p) => [...text.matchAll(p)].map((m) => m[1]!));
}

/** What `file` imports: relative specifiers as paths from the root, packages as written. */
function importsOf(file: Source): string[] {
  return specifiers(file.text).map((s) =>
    s.startsWith('.')
      ? relative(ROOT, resolve(ROOT, dirname(file.path), s))
          .split('\\')
          .join('/')
      : s,
  );
}

/** The files under src/ that import `target` (a path from the root). */
function importersOf(target: string): string[] {
  return TS.filter((f) => importsOf(f).includes(target)).map((f) => f.path);
}

const under = (folder: string) => (f: Source) => f.path.startsWith(`${folder}/`);

describe('raw email is parsed by three features only', () => {
  /** Each file allowed to import the parser, and why it may. */
  const PARSERS: Record<string, string> = {
    'src/pipeline/assess-claim.ts':
      'the assessment: `readForAssessment`, also used by replay and the reply stage',
    'src/cli/check.ts': '`check`: the engine on files, without the service',
    'src/review/original-email.ts':
      "the console's original-email view: `readOriginalEmail`, its one reading of a source",
    'src/intake/parse-check.ts':
      "the poller's quarantine check: confirms a suspicious message is unparseable, reads no content",
  };

  it('imports src/mail/parse.ts only in the assessment, check, the original-email view and the quarantine check', () => {
    expect(importersOf('src/mail/parse.ts').sort()).toEqual(Object.keys(PARSERS).sort());
  });

  it('never in the store: it runs SQL, and takes the reading from its caller', () => {
    expect(
      TS.filter(under('src/store')).filter((f) => importsOf(f).includes('src/mail/parse.ts')),
    ).toEqual([]);
  });

  it("reads attachments from a source in the console's original-email view only", () => {
    expect(importersOf('src/mail/attachment.ts')).toEqual(['src/review/original-email.ts']);
  });
});

describe('SQL runs in src/store only', () => {
  /**
   * A call `.query(` or `.query<` on anything but a request: Fastify's `request.query` is the
   * URL's query string, read as a property, never SQL.
   */
  const SQL_CALL = /([\w$]+|\)|\])\s*(?:\?\.|\.)\s*query\s*[<(]/g;

  it('has no database query outside src/store', () => {
    const calls = TS.filter((f) => !under('src/store')(f)).flatMap((f) =>
      [...f.text.matchAll(SQL_CALL)]
        .filter((m) => m[1] !== 'request' && m[1] !== 'req')
        .map((m) => `${f.path}: ${m[0]}`),
    );
    expect(calls).toEqual([]);
  });

  it('finds the queries the store runs: the pattern sees what it forbids', () => {
    const inStore = TS.filter(under('src/store')).flatMap((f) => [...f.text.matchAll(SQL_CALL)]);
    expect(inStore.length).toBeGreaterThan(50);
  });

  it('writes the audit log in src/store/audit-log.ts only', () => {
    const INSERT = /insert\s+into\s+audit_log/i;
    const writers = SOURCES.filter((f) => INSERT.test(f.text)).map((f) => f.path);
    expect(writers).toEqual(['src/store/audit-log.ts']);
  });
});

describe('the web layer is imported only by the composition root', () => {
  const importsWeb = (f: Source) => importsOf(f).some((i) => i.startsWith('src/web/'));

  it('is not imported from src/ops or src/cli', () => {
    const files = TS.filter((f) => under('src/ops')(f) || under('src/cli')(f)).filter(importsWeb);
    expect(files.map((f) => f.path)).toEqual([]);
  });

  it('is imported by nothing outside src/web but src/service', () => {
    const files = TS.filter((f) => !under('src/web')(f) && !under('src/service')(f)).filter(
      importsWeb,
    );
    expect(files.map((f) => f.path)).toEqual([]);
  });
});

describe('the domain is pure', () => {
  const DOMAIN = TS.filter(under('src/domain'));
  /** Node modules that reach the disk, the network, other processes or the terminal. */
  const NODE_IO = [
    'fs',
    'fs/promises',
    'net',
    'tls',
    'http',
    'https',
    'http2',
    'dgram',
    'dns',
    'dns/promises',
    'child_process',
    'cluster',
    'worker_threads',
    'readline',
    'inspector',
    'process',
  ];
  /** The project's client libraries (and the parser: the domain never sees MIME). */
  const CLIENTS = [
    'pg',
    'pg-copy-streams',
    'ioredis',
    'bullmq',
    'imapflow',
    'nodemailer',
    'mailparser',
    'mailauth',
    'fastify',
    'pino',
    'prom-client',
  ];
  const packageOf = (s: string) =>
    s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!;

  it('imports no client library and no node: module that does I/O', () => {
    const found = DOMAIN.flatMap((f) =>
      importsOf(f)
        .filter((i) => !i.startsWith('src/'))
        .filter((i) => {
          const name = i.replace(/^node:/, '');
          return (
            NODE_IO.includes(name) ||
            CLIENTS.includes(packageOf(name)) ||
            packageOf(name).startsWith('@fastify/')
          );
        })
        .map((i) => `${f.path}: ${i}`),
    );
    expect(found).toEqual([]);
  });

  it('imports nothing from the layers around it', () => {
    const found = DOMAIN.flatMap((f) =>
      importsOf(f)
        .filter((i) => i.startsWith('src/') && !i.startsWith('src/domain/'))
        .map((i) => `${f.path}: ${i}`),
    );
    expect(found).toEqual([]);
  });

  it('is read by these checks: the scan sees the imports it judges', () => {
    // Guards the guard: a scan that read no imports would pass every rule above.
    expect(importersOf('src/domain/money.ts').length).toBeGreaterThan(5);
    expect(importersOf('src/mail/parse.ts').length).toBeGreaterThan(0);
    expect(DOMAIN.flatMap(importsOf)).toContain('opencc-js/t2cn');
  });
});
