import { describe, expect, it } from 'vitest';
import { decodeEntities } from '../../src/mail/html-entities.ts';
import { htmlToText } from '../../src/mail/html-to-text.ts';

describe('htmlToText', () => {
  it('drops tags, comments and the content of script, style and title', () => {
    expect(
      htmlToText(
        '<!DOCTYPE html><html><head><title>Title</title><STYLE>b{}</STYLE></head>' +
          '<body><!-- a <p>comment</p> --><script type="x">if (a < b) alert(1)</script>Hello <b>there</b></body></html>',
      ),
    ).toBe('Hello there');
  });

  it('breaks lines at br, paragraphs, divs, table rows and list items', () => {
    expect(
      htmlToText(
        'a<br>b<br/>c<p>para</p><div>div</div><table><tr><td>1</td><td>2</td></tr><tr><td>3</td></tr></table><ul><li>x</li><li>y</li></ul>',
      ),
    ).toBe('a\nb\nc\npara\n\ndiv\n\n1 2\n3\n\nx\ny');
  });

  it('collapses source white space the way a browser does', () => {
    expect(htmlToText('<p>  lots\n\n of   \t space </p>')).toBe('lots of space');
  });

  it('ignores ">" inside quoted attribute values', () => {
    expect(htmlToText('<a title="a > b" href=\'x>y\'>link</a> text')).toBe('link text');
  });

  it('keeps a lone "<" as text and drops an unterminated tag at the end', () => {
    expect(htmlToText('1 < 2 and 3 <4')).toBe('1 < 2 and 3 <4');
    expect(htmlToText('text <a href="never closed')).toBe('text');
  });

  it('reads on after a script, style or title that is never closed', () => {
    expect(htmlToText('<title>t<title> still text <b>here</b>')).toBe('t still text here');
  });

  it('handles 200,000 nested elements without recursion', () => {
    const depth = 200_000;
    const html = `${'<div><span>'.repeat(depth)}core${'</span></div>'.repeat(depth)}tail`;
    expect(htmlToText(html)).toBe('core\n\ntail');
  });

  it('stays linear on many unclosed title tags', () => {
    expect(htmlToText('<title>x'.repeat(100_000))).toBe('x'.repeat(100_000));
  });
});

describe('decodeEntities', () => {
  it('decodes the common named references', () => {
    expect(
      decodeEntities('&amp; &lt; &gt; &quot; &#39; &apos; &nbsp; &copy; &euro; &eacute;'),
    ).toBe("& < > \" ' ' \u00a0 © € é");
  });

  it('decodes decimal and hexadecimal references, including astral ones', () => {
    expect(decodeEntities('&#65;&#x42;&#X43;&#128512;&#x1F600;')).toBe('ABC😀😀');
  });

  it('replaces invalid code points and maps 0x80-0x9F as Windows-1252', () => {
    expect(decodeEntities('&#0;&#xD800;&#x110000;&#150;')).toBe('\ufffd\ufffd\ufffd–');
  });

  it('leaves unknown names and named references without a semicolon alone', () => {
    expect(decodeEntities('&bogus; a=1&copy=2 &amp')).toBe('&bogus; a=1&copy=2 &');
  });
});
