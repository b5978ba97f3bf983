/**
 * An approved compensation claim from demo-shop's contact with a base64 log of about
 * `bytes` attached: large enough that selecting its source would show on the wire.
 */
export function largeClaimEmail(
  tag: string,
  options: { headers: string[]; text: string; bytes: number },
): Buffer {
  const line = `${Buffer.alloc(57, `${tag} `).toString('base64')}\r\n`;
  return Buffer.from(
    [
      ...options.headers,
      'Subject: Compensation claim - Account: demo-shop; Fault time: 2026-03-02 10:05; Occurrences: 1',
      `Message-ID: <${tag}@mail.test>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      options.text,
      '--b',
      'Content-Type: text/plain; name="ecs.log"',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="ecs.log"',
      '',
      line.repeat(Math.ceil(options.bytes / line.length)),
      '--b--',
      '',
    ].join('\r\n'),
  );
}
