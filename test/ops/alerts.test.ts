import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/ops/metrics.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { parseYamlSubset, type YamlValue } from './yaml-subset.ts';

const FILE = join(REPO_ROOT, 'ops/prometheus/alerts.yml');
const source = readFileSync(FILE, 'utf8');

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: string };
  annotations: { summary: string; description: string; runbook: string };
}

/** The file as the rules' shape; the tests below check that it holds. */
function document(): { groups: { name: string; rules: Rule[] }[] } {
  return parseYamlSubset(source) as unknown as { groups: { name: string; rules: Rule[] }[] };
}

function rules(): Rule[] {
  return document().groups.flatMap((g) => g.rules);
}

/** Series the rules may read that claim-intake does not export itself. */
const EXTERNAL_SERIES = new Set(['up', 'probe_success']);

/**
 * Series names in a PromQL expression: identifiers that are not functions (followed by a
 * parenthesis), keywords, label lists (by, without, on, ignoring), matchers or ranges.
 */
function seriesIn(expr: string): string[] {
  const cleaned = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset']);
  const names = [...cleaned.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?/g)]
    .filter((m) => m[2] === undefined && !keywords.has(m[1]!))
    .map((m) => m[1]!);
  return [...new Set(names)];
}

describe('the Prometheus alert rules', () => {
  it('are groups of named rules, each with expr, for, severity, summary, description and runbook', () => {
    const doc = document();
    expect(doc.groups.length).toBeGreaterThan(0);
    for (const group of doc.groups) {
      expect(group.name).toMatch(/^claim-intake-/);
      expect(group.rules.length).toBeGreaterThan(0);
    }
    const all = rules();
    expect(new Set(all.map((r) => r.alert)).size).toBe(all.length);
    for (const rule of all) {
      expect(rule.alert).toMatch(/^ClaimIntake[A-Z][A-Za-z]+$/);
      expect(rule.expr.trim()).not.toBe('');
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(['warning', 'critical']).toContain(rule.labels.severity);
      for (const text of Object.values(rule.annotations))
        expect(text.trim().length).toBeGreaterThan(20);
      expect(Object.keys(rule.annotations).sort()).toEqual(['description', 'runbook', 'summary']);
    }
  });

  it('have balanced brackets and quotes in every expression', () => {
    for (const { alert, expr } of rules()) {
      const stack: string[] = [];
      const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
      for (const c of expr.replace(/"(?:[^"\\]|\\.)*"/g, '')) {
        if ('([{'.includes(c)) stack.push(c);
        else if (c in pairs) expect(stack.pop(), `${alert}: ${c}`).toBe(pairs[c]);
        else expect(c, `${alert}: stray quote`).not.toBe('"');
      }
      expect(stack, alert).toEqual([]);
    }
  });

  it('read only series claim-intake exports (src/ops/metrics.ts), besides up and probe_success', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.watchReadiness({ check: async () => ({ ready: true, checks: {} }) });
    const exported = new Map(
      (await metrics.registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]),
    );
    const used = new Set(rules().flatMap((r) => seriesIn(r.expr)));
    expect(used.size).toBeGreaterThan(5);
    for (const name of used) {
      if (EXTERNAL_SERIES.has(name)) continue;
      const histogram = /^(.*)_(count|sum|bucket)$/.exec(name);
      if (histogram && exported.get(histogram[1]!) === 'histogram') continue;
      expect(exported.has(name), `${name} is not exported by src/ops/metrics.ts`).toBe(true);
    }
  });

  it('cover a silent mailbox, mailbox lag, the failure rate, failed jobs, readiness and a down target', () => {
    const byExpr = (pattern: RegExp) => rules().filter((r) => pattern.test(r.expr));
    expect(byExpr(/claim_intake_mailbox_last_poll_timestamp_seconds/)).toHaveLength(1);
    expect(byExpr(/claim_intake_mailbox_lag_seconds/)).toHaveLength(1);
    expect(byExpr(/claim_intake_job_duration_seconds_count\{outcome="failed"\}/)).toHaveLength(1);
    expect(byExpr(/claim_intake_queue_jobs\{state="failed"\}/)).toHaveLength(1);
    expect(byExpr(/claim_intake_ready == 0/)).toHaveLength(1);
    expect(byExpr(/probe_success\{job="claim-intake-readyz"\} == 0/)).toHaveLength(1);
    expect(byExpr(/up\{job=~"claim-intake\.\*"\} == 0/)).toHaveLength(1);
  });

  it('document every alert and its threshold in the file header', () => {
    const header = source.slice(0, source.indexOf('groups:'));
    for (const { alert } of rules()) expect(header).toMatch(new RegExp(`#\\s+${alert}\\s+\\S`));
  });

  it('name the series the silence and lag rules read with their mailbox label', () => {
    for (const rule of rules().filter((r) => /mailbox/.test(r.expr))) {
      expect(rule.expr).toMatch(/by \(mailbox\)/);
      expect(rule.annotations.summary).toContain('{{ $labels.mailbox }}');
    }
  });
});

describe('the YAML subset reader', () => {
  it('reads mappings, sequences, quoted and block scalars and flow sequences', () => {
    const doc = parseYamlSubset(
      [
        '# comment',
        'a: plain value # trailing comment',
        "b: 'it''s'",
        'c: "x # not a comment"',
        'd:',
        '  - one',
        '  - k: v',
        '    k2: v2',
        'e: |',
        '  line 1',
        '  line 2',
        'f: >-',
        '  folded',
        '  text',
        'g: ["CMD", "node", x]',
        'h:',
        '- at the key indent',
      ].join('\n'),
    );
    const expected: YamlValue = {
      a: 'plain value',
      b: "it's",
      c: 'x # not a comment',
      d: ['one', { k: 'v', k2: 'v2' }],
      e: 'line 1\nline 2\n',
      f: 'folded text',
      g: ['CMD', 'node', 'x'],
      h: ['at the key indent'],
    };
    expect(doc).toEqual(expected);
  });

  it('refuses what it does not understand instead of misreading it', () => {
    expect(() => parseYamlSubset('a: &anchor x')).toThrow(/line 1/);
    expect(() => parseYamlSubset('a: {b: c}')).toThrow(/line 1/);
    expect(() => parseYamlSubset('a: 1\na: 2')).toThrow(/duplicate key a/);
    expect(() => parseYamlSubset('a: 1\n   b: 2')).toThrow(/line 2/);
  });
});
