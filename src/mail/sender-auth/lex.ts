/**
 * A small lexer for structured header values (RFC 5322 §3.2: CFWS, quoted strings, atoms),
 * shared by the Authentication-Results parser (RFC 8601 §2.2) and the Received reader
 * (RFC 5321 §4.4). It never throws and reads a bounded amount of input, so a hostile
 * header costs linear time at most.
 */

/** Header values longer than this are cut before lexing. */
const MAX_VALUE_CHARS = 64 * 1024;

export interface Token {
  /**
   * `word`: a run of anything but white space and the specials below; `quoted`: the
   * content of a quoted string, quoted-pairs undone; `comment`: the content of a
   * (possibly nested) comment; `;`, `=`, `/`: those separators.
   */
  kind: 'word' | 'quoted' | 'comment' | ';' | '=' | '/';
  text: string;
  /** Whether white space or a comment came before this token (it starts a new item). */
  spaced: boolean;
}

const SPECIALS = new Set([';', '=', '/', '"', '(', ')']);

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

/** Reads a comment starting after its '(' at `start`; returns its content and the end. */
function readComment(value: string, start: number): { text: string; end: number } {
  let depth = 1;
  let text = '';
  let i = start;
  while (i < value.length) {
    const ch = value[i] as string;
    if (ch === '\\' && i + 1 < value.length) {
      text += value[i + 1];
      i += 2;
      continue;
    }
    i++;
    if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) break;
    text += ch;
  }
  return { text, end: i };
}

/** Reads a quoted string starting after its '"' at `start`; an unterminated one ends the value. */
function readQuoted(value: string, start: number): { text: string; end: number } {
  let text = '';
  let i = start;
  while (i < value.length) {
    const ch = value[i] as string;
    if (ch === '\\' && i + 1 < value.length) {
      text += value[i + 1];
      i += 2;
      continue;
    }
    i++;
    if (ch === '"') break;
    text += ch;
  }
  return { text, end: i };
}

export function lex(input: string): Token[] {
  const value = input.length > MAX_VALUE_CHARS ? input.slice(0, MAX_VALUE_CHARS) : input;
  const tokens: Token[] = [];
  let spaced = false;
  let i = 0;
  while (i < value.length) {
    const ch = value[i] as string;
    if (isSpace(ch)) {
      spaced = true;
      i++;
    } else if (ch === '(') {
      const { text, end } = readComment(value, i + 1);
      tokens.push({ kind: 'comment', text, spaced });
      spaced = true;
      i = end;
    } else if (ch === '"') {
      const { text, end } = readQuoted(value, i + 1);
      tokens.push({ kind: 'quoted', text, spaced });
      spaced = false;
      i = end;
    } else if (ch === ';' || ch === '=' || ch === '/') {
      tokens.push({ kind: ch, text: ch, spaced });
      spaced = false;
      i++;
    } else if (ch === ')') {
      // a stray closing parenthesis: RFC 5322 has no place for it; treat it as space
      spaced = true;
      i++;
    } else {
      let end = i + 1;
      while (
        end < value.length &&
        !isSpace(value[end] as string) &&
        !SPECIALS.has(value[end] as string)
      )
        end++;
      tokens.push({ kind: 'word', text: value.slice(i, end), spaced });
      spaced = false;
      i = end;
    }
  }
  return tokens;
}
