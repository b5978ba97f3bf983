import { describe, expect, it } from 'vitest';
import { emailDocument, sanitizeEmailHtml } from '../../src/web/sanitize.ts';

describe('sanitizeEmailHtml', () => {
  it('drops active content and keeps formatting', () => {
    const out = sanitizeEmailHtml(
      `<h1 onmouseover="x()">Title</h1><script>alert(1)</script><style>body{}</style>
<object data="x.swf"></object><embed src="x"><button>b</button><link rel="stylesheet" href="//x">
<meta http-equiv="refresh" content="0;url=https://evil"><base href="https://evil/">
<table><tr><td colspan="2">cell</td></tr></table><ul><li><i>item</i></li></ul>`,
    );
    for (const bad of [
      'script',
      'alert',
      'onmouseover',
      '<style',
      'object',
      'embed',
      'button',
      'link',
      'meta',
      'base',
    ])
      expect(out.toLowerCase()).not.toContain(bad);
    expect(out).toContain('<h1>Title</h1>');
    expect(out).toContain('<td colspan="2">cell</td>');
    expect(out).toContain('<li><i>item</i></li>');
  });

  it('keeps only http(s) and mailto links, opened safely', () => {
    const out = sanitizeEmailHtml(
      `<a href="javascript:alert(1)">j</a><a href=" JaVaScRiPt:alert(1)">j2</a>
<a href="data:text/html,<script>x</script>">d</a><a href="vbscript:x">v</a>
<a href="mailto:a@example.com">m</a><a href="https://example.com/" target="_self" rel="opener">h</a>`,
    );
    expect(out.toLowerCase()).not.toMatch(/javascript|data:|vbscript|_self|opener"/);
    expect(out).toContain(
      '<a href="mailto:a@example.com" rel="noopener noreferrer" target="_blank">m</a>',
    );
    expect(out).toContain(
      '<a href="https://example.com/" rel="noopener noreferrer" target="_blank">h</a>',
    );
    expect(out).toContain('<a>j</a>');
  });

  it('loads nothing remote: no src, srcset or background; images keep only their alt', () => {
    const out = sanitizeEmailHtml(
      `<img src="https://t.example/p.gif" width="1" height="1"><img src="x" srcset="https://t.example/a 2x" alt="Logo">
<table background="https://t.example/bg.png"><tr><td background="https://t.example/c">c</td></tr></table>
<img src="data:image/png;base64,AAAA" alt="inline"><video src="https://t.example/v"></video>`,
    );
    expect(out).not.toMatch(/src|background|t\.example|<video/);
    expect(out).toContain('<img alt="Logo" />');
  });

  it('drops style attributes that can run code or load resources, keeps harmless ones', () => {
    const out = sanitizeEmailHtml(
      `<p style="color: red">ok</p><p style="width: expression(alert(1))">e</p>
<p style="background:url(https://t.example/x)">u</p><p style="@import 'x'">i</p>
<p style="behavior: url(x.htc)">b</p><p style="background:u\\72l(https://t.example/y)">esc</p>`,
    );
    expect(out).toContain('<p style="color:red">ok</p>');
    expect(out).not.toMatch(/expression|url|@import|behavior|t\.example|\\72/);
  });

  it('wraps plain text in an escaped document when there is no HTML part', () => {
    const doc = emailDocument(null, '<script>alert(1)</script> & more');
    expect(doc).toContain('<pre>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</pre>');
    expect(doc.startsWith('<!doctype html>')).toBe(true);
  });
});
