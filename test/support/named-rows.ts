/**
 * Tables of test cases whose titles read as sentences of the policy.
 *
 * `it.each(rows)('$name', …)` prints a string field in quotes ('rejects …'), so a row's
 * name goes in front as its own argument and the title is `%s`:
 * `it.each(named(rows))('%s', (_name, row) => …)`.
 */
export function named<Row extends { name: string }>(rows: readonly Row[]): [string, Row][] {
  return rows.map((row) => [row.name, row]);
}
