/**
 * The row of a statement that returns exactly one by construction: `INSERT … RETURNING`, an
 * aggregate without GROUP BY, `SELECT` of expressions. None is a broken statement or schema,
 * said at once rather than read as `undefined` further on. No imports: any store may use it.
 */
export function onlyRow<R>(rows: readonly R[]): R {
  const row = rows[0];
  if (row === undefined) throw new Error('a statement that returns one row returned none');
  return row;
}
