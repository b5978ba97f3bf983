/**
 * Plain text from HTML in one linear, non-recursive pass: no DOM is built and nesting is
 * never tracked, so 200,000 nested elements cost the same as 200,000 siblings.
 */
import { decodeEntities } from './html-entities.ts';

/** Elements whose content is not text to a reader. */
const SKIP_CONTENT = new Set(['script', 'style', 'title', 'template']);
/** A line break where one of these opens or closes. */
const BLOCK = new Set([
  'p',
  'div',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'table',
  'ul',
  'ol',
  'dl',
  'blockquote',
  'pre',
  'section',
  'article',
  'header',
  'footer',
  'address',
  'center',
  'form',
  'fieldset',
]);
/** A line break where one of these closes (rows and items start at the previous break). */
const BREAK_AFTER = new Set(['tr', 'li', 'dt', 'dd', 'caption', 'option']);
/** Table cells are separated by a space. */
const CELL = new Set(['td', 'th']);

function isAlpha(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
}

function isNameChar(code: number): boolean {
  return isAlpha(code) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x3a;
}

/** Index of the `>` ending a tag whose name ends at `from`, skipping quoted attribute values. */
function tagEnd(html: string, from: number): number {
  let quote = 0;
  for (let i = from; i < html.length; i++) {
    const code = html.charCodeAt(i);
    if (quote !== 0) {
      if (code === quote) quote = 0;
    } else if (code === 0x22 || code === 0x27) {
      // a quote only opens a value right after '=' (possibly spaced); elsewhere it is junk
      let j = i - 1;
      while (j >= from && (html.charCodeAt(j) === 0x20 || html.charCodeAt(j) === 0x09)) j--;
      if (j >= from && html.charCodeAt(j) === 0x3d) quote = code;
    } else if (code === 0x3e) {
      return i;
    }
  }
  return -1;
}

function separator(name: string, closing: boolean): string {
  if (name === 'br' || name === 'hr' || BLOCK.has(name)) return '\n';
  if (closing && BREAK_AFTER.has(name)) return '\n';
  if (closing && CELL.has(name)) return ' ';
  return '';
}

/** Collapses white space inside lines and keeps at most one empty line between blocks. */
function tidy(text: string): string {
  const lines: string[] = [];
  let blank = false;
  for (const line of text.split('\n')) {
    const trimmed = line.replace(/[ \t\f\r\u00a0]+/g, ' ').trim();
    if (trimmed === '') {
      blank = lines.length > 0;
      continue;
    }
    if (blank) lines.push('');
    blank = false;
    lines.push(trimmed);
  }
  return lines.join('\n');
}

export function htmlToText(html: string): string {
  const out: string[] = [];
  const n = html.length;
  const unclosed = new Set<string>();
  let i = 0;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      out.push(html.slice(i).replace(/\s+/g, ' '));
      break;
    }
    if (lt > i) out.push(html.slice(i, lt).replace(/\s+/g, ' '));
    if (html.startsWith('!--', lt + 1)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    const next = html.charCodeAt(lt + 1);
    if (next === 0x21 || next === 0x3f) {
      // <!DOCTYPE ...>, <![CDATA[...]]>, <?xml ...?>
      const end = html.indexOf('>', lt + 2);
      i = end < 0 ? n : end + 1;
      continue;
    }
    const closing = next === 0x2f;
    const nameStart = closing ? lt + 2 : lt + 1;
    if (!isAlpha(html.charCodeAt(nameStart))) {
      out.push('<'); // a lone '<' is text
      i = lt + 1;
      continue;
    }
    let nameEnd = nameStart;
    while (nameEnd < n && isNameChar(html.charCodeAt(nameEnd))) nameEnd++;
    const name = html.slice(nameStart, nameEnd).toLowerCase();
    const end = tagEnd(html, nameEnd);
    if (end < 0) break; // an unterminated tag: the rest is not text
    i = end + 1;
    if (!closing && SKIP_CONTENT.has(name) && !unclosed.has(name)) {
      const close = new RegExp(`</${name}`, 'gi');
      close.lastIndex = i;
      const found = close.exec(html);
      // Unclosed: only the start tag is dropped and the rest is read as usual. Remembered,
      // so that many unclosed start tags do not each search to the end (quadratic).
      const closeEnd = found ? html.indexOf('>', found.index) : -1;
      if (closeEnd >= 0) i = closeEnd + 1;
      else unclosed.add(name);
      continue;
    }
    const sep = separator(name, closing);
    if (sep) out.push(sep);
  }
  return tidy(decodeEntities(out.join('')));
}
