/**
 * A reader for the YAML subset our ops files are written in (no YAML parser is among the
 * dependencies): block mappings and sequences by indentation, `#` comments, plain,
 * single- and double-quoted scalars, `|` and `>` block scalars (with `-` chomping) and
 * one-line flow sequences of scalars. Scalars stay strings. Anything outside the subset
 * (anchors, tags, flow mappings, multi-document files) throws with its line number, so a
 * file drifting out of the subset fails its test instead of being half read.
 */
export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  no: number;
  indent: number;
  text: string;
}

export function parseYamlSubset(source: string): YamlValue {
  const raw = source.split(/\r?\n/);
  const lines: Line[] = [];
  raw.forEach((text, i) => {
    if (/^\s*(#.*)?$/.test(text)) return;
    if (/^\t/.test(text)) throw new Error(`line ${i + 1}: tab indentation`);
    if (/^(---|\.\.\.)\s*$/.test(text)) throw new Error(`line ${i + 1}: one document only`);
    lines.push({ no: i + 1, indent: text.length - text.trimStart().length, text: text.trim() });
  });
  const state = { pos: 0 };
  if (lines.length === 0) return {};
  const value = parseBlock(lines, raw, state, lines[0]!.indent);
  if (state.pos < lines.length) throw new Error(`line ${lines[state.pos]!.no}: unexpected indent`);
  return value;
}

function parseBlock(lines: Line[], raw: string[], state: { pos: number }, indent: number) {
  return lines[state.pos]!.text.startsWith('- ') || lines[state.pos]!.text === '-'
    ? parseSequence(lines, raw, state, indent)
    : parseMapping(lines, raw, state, indent);
}

function parseSequence(lines: Line[], raw: string[], state: { pos: number }, indent: number) {
  const out: YamlValue[] = [];
  while (state.pos < lines.length) {
    const line = lines[state.pos]!;
    if (line.indent < indent) break;
    if (line.indent > indent || !(line.text.startsWith('- ') || line.text === '-'))
      throw new Error(`line ${line.no}: expected "- " at indent ${indent}`);
    const rest = line.text.slice(1).trimStart();
    if (rest === '') {
      state.pos++;
      out.push(nested(lines, raw, state, indent, line));
    } else if (isMappingEntry(rest)) {
      // "- key: value" opens a mapping whose keys sit two columns in.
      const inner = indent + (line.text.length - rest.length);
      lines[state.pos] = { no: line.no, indent: inner, text: rest };
      out.push(parseMapping(lines, raw, state, inner));
    } else {
      state.pos++;
      out.push(scalar(rest, line, lines, raw, state, indent));
    }
  }
  return out;
}

function parseMapping(lines: Line[], raw: string[], state: { pos: number }, indent: number) {
  const out: { [key: string]: YamlValue } = {};
  while (state.pos < lines.length) {
    const line = lines[state.pos]!;
    if (line.indent < indent) break;
    if (line.indent > indent) throw new Error(`line ${line.no}: unexpected indent`);
    const m = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"][^:#]*?)\s*:(?:\s+(.*))?$/.exec(
      line.text,
    );
    if (!m) throw new Error(`line ${line.no}: expected "key: value"`);
    const key = unquote(m[1]!, line);
    if (Object.hasOwn(out, key)) throw new Error(`line ${line.no}: duplicate key ${key}`);
    state.pos++;
    const rest = stripComment(m[2] ?? '');
    out[key] =
      rest === ''
        ? nested(lines, raw, state, indent, line)
        : scalar(rest, line, lines, raw, state, indent);
  }
  return out;
}

/** The block under a key or dash with nothing after it; empty when none follows. */
function nested(lines: Line[], raw: string[], state: { pos: number }, indent: number, at: Line) {
  const next = lines[state.pos];
  // A sequence may sit at its key's own indent ("key:\n- a"), as compose files often do.
  if (
    next &&
    (next.indent > indent ||
      (next.indent === indent && next.text.startsWith('- ') && !at.text.startsWith('-')))
  )
    return parseBlock(lines, raw, state, next.indent);
  return '';
}

function scalar(
  text: string,
  line: Line,
  lines: Line[],
  raw: string[],
  state: { pos: number },
  indent: number,
): YamlValue {
  const value = stripComment(text);
  if (/^[|>][-+]?$/.test(value)) return blockScalar(value, line, lines, raw, state, indent);
  if (value.startsWith('[')) return flowSequence(value, line);
  if (/^[&*!{]/.test(value))
    throw new Error(`line ${line.no}: anchors, tags and flow mappings are outside the subset`);
  return unquote(value, line);
}

function blockScalar(
  indicator: string,
  line: Line,
  lines: Line[],
  raw: string[],
  state: { pos: number },
  indent: number,
): string {
  // Block scalars keep their blank lines and #-lines, so they are read from the raw text.
  const body: string[] = [];
  let i = line.no; // raw index of the line after the indicator
  let blockIndent: number | undefined;
  for (; i < raw.length; i++) {
    const text = raw[i]!;
    if (text.trim() === '') {
      body.push('');
      continue;
    }
    const ind = text.length - text.trimStart().length;
    if (ind <= indent) break;
    blockIndent ??= ind;
    if (ind < blockIndent) break;
    body.push(text.slice(blockIndent));
  }
  while (body.length > 0 && body[body.length - 1] === '') body.pop();
  while (state.pos < lines.length && lines[state.pos]!.no <= i) state.pos++;
  const joined =
    indicator[0] === '|'
      ? body.join('\n')
      : body.reduce(
          (acc, l) =>
            acc === '' ? l : l === '' ? `${acc}\n` : acc.endsWith('\n') ? acc + l : `${acc} ${l}`,
          '',
        );
  return indicator.endsWith('-') ? joined : `${joined}\n`;
}

function flowSequence(text: string, line: Line): string[] {
  if (!text.endsWith(']'))
    throw new Error(`line ${line.no}: a flow sequence must close on its line`);
  const inner = text.slice(1, -1).trim();
  if (inner === '') return [];
  const items = inner.match(/"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,]+/g) ?? [];
  return items
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => unquote(item, line));
}

function isMappingEntry(text: string): boolean {
  return /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"[{][^:#]*?)\s*:(\s|$)/.test(text);
}

function stripComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) return text.slice(0, i).trimEnd();
  }
  return text.trim();
}

function unquote(text: string, line: Line): string {
  if (text.startsWith('"')) {
    if (!/^"(?:[^"\\]|\\.)*"$/.test(text)) throw new Error(`line ${line.no}: unterminated string`);
    return JSON.parse(text.replace(/\\'/g, "'")) as string;
  }
  if (text.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(text)) throw new Error(`line ${line.no}: unterminated string`);
    return text.slice(1, -1).replace(/''/g, "'");
  }
  return text;
}
