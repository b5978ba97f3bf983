/**
 * Customer email HTML made safe to show an agent. The sender controls every byte, so this is
 * an allow-list: harmless formatting survives; scripts, forms, frames and anything that loads
 * a remote resource (tracking pixels tell the sender when and where the mail was read) go.
 * The result is still shown in a sandboxed iframe under a strict CSP: this is one layer of two.
 */
import sanitizeHtml from 'sanitize-html';

const TAGS = [
  'a',
  'abbr',
  'b',
  'blockquote',
  'br',
  'caption',
  'code',
  'col',
  'colgroup',
  'dd',
  'del',
  'div',
  'dl',
  'dt',
  'em',
  'font',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'i',
  'img',
  'ins',
  'li',
  'ol',
  'p',
  'pre',
  's',
  'small',
  'span',
  'strike',
  'strong',
  'sub',
  'sup',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'u',
  'ul',
];

/** Style values that can run code (old IE) or load a resource. */
const DANGEROUS_STYLE = /expression\s*\(|url\s*\(|@import|behavior|javascript:|-moz-binding/i;

/** Links the agent may follow: never a script or an inline document. */
const SAFE_HREF = /^(https?:|mailto:)/i;

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: TAGS,
  allowedAttributes: {
    '*': ['style', 'title', 'dir', 'lang', 'align'],
    a: ['href', 'rel', 'target'],
    td: ['colspan', 'rowspan', 'valign', 'width'],
    th: ['colspan', 'rowspan', 'valign', 'width'],
    table: ['border', 'cellpadding', 'cellspacing', 'width'],
    font: ['color', 'size', 'face'],
    img: ['alt'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  // Their content is code or markup that must not turn into visible text either.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'iframe'],
  disallowedTagsMode: 'discard',
  // One transform for every tag: sanitize-html applies a tag's own transform *instead of* '*'.
  transformTags: { '*': transform },
};

function transform(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const out: sanitizeHtml.Attributes = { ...attribs };
  // The style attribute is judged whole: one bad declaration drops all of it.
  if (out.style !== undefined && DANGEROUS_STYLE.test(decodeEntities(out.style))) delete out.style;
  if (tagName === 'img') {
    // Without src nothing loads (no tracking pixel); the browser shows the alt text instead.
    const alt = attribs.alt?.trim();
    return { tagName: alt ? 'img' : 'span', attribs: alt ? { alt } : {} };
  }
  if (tagName === 'a') {
    const href = out.href?.trim();
    delete out.href;
    delete out.rel;
    delete out.target;
    if (href && SAFE_HREF.test(href)) {
      out.href = href;
      out.rel = 'noopener noreferrer';
      out.target = '_blank';
    }
  }
  return { tagName, attribs: out };
}

export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}

/** Entities in a style value are decoded by the browser before CSS parsing sees it. */
function decodeEntities(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);?/gi, (_m, h: string) => codePoint(Number.parseInt(h, 16)))
    .replace(/&#(\d+);?/g, (_m, d: string) => codePoint(Number(d)))
    .replace(/\\([0-9a-f]{1,6})\s?/gi, (_m, h: string) => codePoint(Number.parseInt(h, 16)))
    .replace(/\\/g, '');
}

function codePoint(n: number): string {
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '\ufffd';
}

/** A complete document for the sandboxed iframe, so the browser never guesses the charset. */
export function emailDocument(html: string | null, text: string): string {
  const body = html ? sanitizeEmailHtml(html) : `<pre>${escapeHtml(text)}</pre>`;
  return `<!doctype html><html><head><meta charset="utf-8"><style>body{font:14px/1.5 system-ui,sans-serif;margin:12px;color:#1d2330;word-wrap:break-word}img,table{max-width:100%}</style></head><body>${body}</body></html>`;
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
