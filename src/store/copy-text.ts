/**
 * PostgreSQL's COPY text format (https://www.postgresql.org/docs/current/sql-copy.html,
 * "Text Format"): one row a line, columns separated by tabs, and in each value a backslash,
 * newline, carriage return and tab written as \\, \n, \r and \t. A text[] value is an array
 * literal ("Array Value Input"): every element double-quoted with `"` and `\` backslash-escaped,
 * so commas, braces, quotes, spaces and the word NULL inside an element stay text.
 */

const SPECIAL = /[\\\n\r\t]/;
const SPECIAL_ALL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One text value as a COPY text field. */
export function copyField(value: string): string {
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c]!) : value;
}

/** A text[] value as a COPY text field: an array literal, then escaped as any field. */
export function copyArrayField(values: readonly string[]): string {
  const elements = values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`);
  return copyField(`{${elements.join(',')}}`);
}

/** One row: its fields joined by tabs, ended by a newline. Fields must be copyField'ed. */
export function copyRow(fields: readonly string[]): string {
  return `${fields.join('\t')}\n`;
}
