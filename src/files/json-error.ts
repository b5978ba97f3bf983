/**
 * JSON.parse's SyntaxError said as a person reads a file: a line and a column, not "at
 * position 1234". V8 gives the position in most messages (Node 20: `… in JSON at position
 * 13`; Node 22 and later add `(line 3 column 3)`), none for an unexpected token (it quotes
 * the input instead: `Unexpected token ']', "[1,2,]" is not valid JSON`, the whole file when
 * it is short) and none at the end of the input.
 */
import type { InputPosition } from '../domain/errors.ts';

export interface JsonSyntaxError extends Required<InputPosition> {
  /** V8's words without the position or the quoted input: `Unexpected token ']'`. */
  problem: string;
}

const POSITION = /\s*(?:in JSON )?at position (\d+)(?: \(line (\d+) column (\d+)\))?/;
/** The input V8 quotes after an unexpected token, whole or cut with `...` around. */
const QUOTED_INPUT = /, (?:\.\.\.)?"[\s\S]*"(?:\.\.\.)? is not valid JSON$/;
const END_OF_INPUT = 'Unexpected end of JSON input';

/** Where `error`, thrown by JSON.parse(text), points in `text`, and what it says. */
export function jsonSyntaxError(text: string, error: unknown): JsonSyntaxError {
  const message = error instanceof Error ? error.message : String(error);
  const problem = message.replace(POSITION, '').replace(QUOTED_INPUT, '').replace(/\s+/g, ' ');
  const at = POSITION.exec(message);
  if (at?.[2] !== undefined && at[3] !== undefined)
    return { problem, line: Number(at[2]), column: Number(at[3]) };
  const offset = at
    ? Number(at[1])
    : message.startsWith(END_OF_INPUT)
      ? text.length
      : firstBadCharacter(text);
  return { problem, ...lineAndColumn(text, offset) };
}

/** 1-based line and column (in UTF-16 code units, as V8 counts) of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): Required<InputPosition> {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

/**
 * The offset of the first character no JSON text can go on with, for the messages that give
 * none. Every prefix before it parses or fails only for ending too soon (at its own end), and
 * every longer one fails earlier: a binary search over prefixes finds it with V8 alone.
 */
function firstBadCharacter(text: string): number {
  let good = 0;
  // One past the end: the whole text may be a prefix too (a file cut short).
  let bad = text.length + 1;
  while (bad - good > 1) {
    const mid = (good + bad) >>> 1;
    if (endsTooSoon(text.slice(0, mid))) good = mid;
    else bad = mid;
  }
  return good;
}

function endsTooSoon(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith(END_OF_INPUT)) return true;
    return Number(POSITION.exec(message)?.[1]) === prefix.length;
  }
}
