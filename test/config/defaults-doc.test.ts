/**
 * docs/configuration.md's settings tables and DEFAULTS (src/config-defaults.ts) say the same:
 * each documented default is the value the service falls back to, a setting documented as
 * having none has none, and no default goes undocumented. The table's convention is stated
 * above it in the doc: numbers in full, other values in `code`, a reading in parentheses after
 * a value, a default wholly in parentheses for "no value of its own".
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config-defaults.ts';

interface DocumentedSetting {
  name: string;
  /** The default as written (without its reading); undefined for "(unset: …)" and the like. */
  documented: string | undefined;
}

const DOC = new URL('../../docs/configuration.md', import.meta.url);

/** The rows of every `| setting | default | meaning |` table, one entry per setting. */
function settingsTable(markdown: string): DocumentedSetting[] {
  const lines = markdown.split('\n');
  const headers = [...lines.entries()]
    .filter(([, line]) => line === '| setting | default | meaning |')
    .map(([i]) => i);
  if (headers.length === 0) throw new Error('docs/configuration.md has no settings table');
  return headers.flatMap((header) => tableRows(lines.slice(header + 2)));
}

function tableRows(lines: string[]): DocumentedSetting[] {
  const rows: DocumentedSetting[] = [];
  for (const line of lines) {
    if (!line.startsWith('|')) break;
    const cells = /^\| (.+?) \| (.+?) \| /.exec(line);
    if (!cells) throw new Error(`unreadable row: ${line}`);
    const [, settingCell = '', defaultCell = ''] = cells;
    const names = [...settingCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] ?? '');
    const values = defaults(defaultCell, names.length, line);
    names.forEach((name, i) => {
      rows.push({ name, documented: values?.[i] });
    });
  }
  return rows;
}

/** The defaults a cell gives, one per setting; undefined when it gives none. */
function defaults(cell: string, count: number, line: string): string[] | undefined {
  if (/^\(.*\)$/.test(cell)) return undefined;
  const values = cell
    .replace(/\s*\([^)]*\)/g, '')
    .split(/,\s*/)
    .map((piece) => {
      const code = /^`([^`]*)`$/.exec(piece);
      if (code) return code[1] ?? '';
      if (/^\d+$/.test(piece)) return piece;
      throw new Error(`"${piece}" is neither a number nor \`code\`: ${line}`);
    });
  if (values.length !== count)
    throw new Error(`${count} settings, ${values.length} defaults: ${line}`);
  return values;
}

const table = settingsTable(readFileSync(DOC, 'utf8'));
const defaulted = table.filter((s) => s.documented !== undefined);
const unset = table.filter((s) => s.documented === undefined);
const defaultsOf = DEFAULTS as Readonly<Record<string, string | number | boolean>>;

describe('the settings table in docs/configuration.md', () => {
  it('documents the settings it is meant to', () => {
    expect(defaulted.length).toBeGreaterThan(30);
    expect(table.map((s) => s.name)).toContain('WORKER_CONCURRENCY_SETTLE');
  });

  it.each(defaulted)('gives $name the default the service uses: $documented', (setting) => {
    expect(Object.hasOwn(DEFAULTS, setting.name)).toBe(true);
    expect(String(defaultsOf[setting.name])).toBe(setting.documented);
  });

  it.each(unset)(
    'documents $name as having no default of its own, as DEFAULTS has none',
    ({ name }) => {
      expect(Object.hasOwn(DEFAULTS, name)).toBe(false);
    },
  );

  it('leaves no default undocumented', () => {
    const documented = new Set(defaulted.map((s) => s.name));
    expect(Object.keys(DEFAULTS).filter((name) => !documented.has(name))).toEqual([]);
  });
});
