/** JSON syntax errors said with a line and a column (issue #14), on any Node's messages. */
import { describe, expect, it } from 'vitest';
import { jsonSyntaxError } from '../../src/files/json-error.ts';

/** What jsonSyntaxError makes of JSON.parse's own error on `text`. */
function parsed(text: string) {
  try {
    JSON.parse(text);
  } catch (error) {
    return jsonSyntaxError(text, error);
  }
  throw new Error('the text is valid JSON');
}

describe('a JSON syntax error', () => {
  it('is placed by the position in the message', () => {
    expect(parsed('{\n  "a": 1\n  "b": 2\n}')).toEqual({
      problem: "Expected ',' or '}' after property value",
      line: 3,
      column: 3,
    });
    expect(parsed('{"a": 1}\n x')).toEqual({
      problem: 'Unexpected non-whitespace character after JSON',
      line: 2,
      column: 2,
    });
  });

  it('is placed by the line and column of the message when it gives them (Node 22 and later)', () => {
    const error = new SyntaxError(
      "Expected ',' or '}' after property value in JSON at position 13 (line 3 column 3)",
    );
    expect(jsonSyntaxError('{\n  "a": 1\n  "b": 2\n}', error)).toEqual({
      problem: "Expected ',' or '}' after property value",
      line: 3,
      column: 3,
    });
  });

  it('is placed at the unexpected token when the message quotes the input instead', () => {
    const text = '{\n  "holidays": ["2026-10-01",],\n  "workdays": []\n}';
    expect(parsed(text)).toEqual({ problem: "Unexpected token ']'", line: 2, column: 29 });
    // The message as a later V8 may cut it, around the token.
    const cut = new SyntaxError(
      `Unexpected token ']', ..."2026-10-01",],\n  "w"... is not valid JSON`,
    );
    expect(jsonSyntaxError(text, cut)).toEqual({
      problem: "Unexpected token ']'",
      line: 2,
      column: 29,
    });
  });

  it('never repeats the input, and stays on one line', () => {
    const text = `{\n${'  "padding": "secret value",\n'.repeat(50)}  "x": tru }`;
    const error = parsed(text);
    expect(error).toEqual({ problem: "Unexpected token ' '", line: 52, column: 11 });
  });

  it('is placed at the end of the input when the input stops inside a value', () => {
    expect(parsed('{\n  "a": ')).toEqual({
      problem: 'Unexpected end of JSON input',
      line: 2,
      column: 8,
    });
  });
});
