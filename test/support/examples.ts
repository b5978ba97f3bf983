/** The public examples' cases (`expected.jsonl`): each email, when it arrived and what `check` must print. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ExampleCase {
  file: string;
  received: string;
  expect: Record<string, unknown>;
}

/** The cases of the examples directory `dir`, in file order. */
export function exampleCases(dir: string): ExampleCase[] {
  return readFileSync(join(dir, 'expected.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ExampleCase);
}

/** Items grouped by received time (one `check --received` run per group), in first-seen order. */
export function byReceived<T extends { received: string }>(list: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of list) groups.set(item.received, [...(groups.get(item.received) ?? []), item]);
  return groups;
}
