/**
 * Typical claim emails and the records they refer to, generated deterministically for
 * benchmarks: ~5 KB each, English and Chinese, plain text or multipart/alternative.
 */
import type { RawRecords } from '../test/support/builders.ts';

const FILLER_EN =
  'Our production web servers in this region stopped answering health checks and our customers saw errors. ' +
  'We restarted the application but the instances stayed unreachable until your platform recovered. ';
const FILLER_ZH =
  '我们的生产环境云服务器在该区域无法访问，业务中断，客户无法打开网站。重启应用后仍无法连接，直到平台恢复。';

/** A small deterministic PRNG so every run benchmarks the same inputs. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function benchRecords(accounts = 500): RawRecords {
  const raw: Required<RawRecords> = {
    accounts: [],
    resources: [],
    incidents: [],
    orders: [],
    refunds: [],
    compensations: [],
    icpFilings: [],
  };
  for (let i = 0; i < accounts; i++) {
    const id = `acct-${i}`;
    raw.accounts.push({
      id,
      emails: [`ops@${id}.test`],
      vip: i % 10 === 0,
      currency: 'CNY',
      accumulated_recharge: '800.00',
      icp_rewarded: false,
    });
    raw.resources.push({
      id: `ecs-${i}`,
      account: id,
      service: 'ECS',
      region: `cn-r${i % 20}`,
      billing: 'monthly',
      daily_fee: '48.00',
      host: true,
      status: 'active',
    });
    raw.orders.push({
      id: `CS26030${String(i).padStart(5, '0')}`,
      account: id,
      product: 'ECS',
      billing: 'monthly',
      amount: '199.00',
      purchased_at: '2026-03-02T09:00:00+08:00',
      status: 'paid',
    });
    raw.icpFilings.push({
      account: id,
      submitted_at: '2026-02-20T10:00:00+08:00',
      approved_at: '2026-02-25T10:00:00+08:00',
      first_time: true,
      status: 'approved',
    });
  }
  for (let day = 1; day <= 28; day++) {
    for (let r = 0; r < 20; r++) {
      const d = String(day).padStart(2, '0');
      raw.incidents.push({
        id: `INC-${day}-${r}`,
        start: `2026-02-${d}T10:00:00+08:00`,
        end: `2026-02-${d}T10:45:00+08:00`,
        cause: r % 7 === 0 ? 'maintenance' : 'platform',
        scenario: 'unavailable',
        scope: [{ service: 'ECS', region: `cn-r${r}` }],
      });
    }
  }
  return raw;
}

export function pad(text: string, size: number, chinese: boolean): string {
  let body = text;
  while (body.length < size) body += `\n${chinese ? FILLER_ZH : FILLER_EN}`;
  return body;
}

export function benchEmails(count: number, accounts = 500): Buffer[] {
  const random = rng(42);
  const out: Buffer[] = [];
  for (let n = 0; n < count; n++) {
    const i = Math.floor(random() * accounts);
    const day = 20 + Math.floor(random() * 8);
    const chinese = random() < 0.4;
    const kind = random();
    let subject: string;
    if (kind < 0.6) {
      subject = chinese
        ? `赔偿申请 账号：acct-${i} 故障时间：2026年2月${day}日10时05分 次数：1次`
        : `Compensation claim - Account: acct-${i}; Fault time: 2026-02-${day} 10:05; Occurrences: 1`;
    } else if (kind < 0.8) {
      subject = `Refund request - Account: acct-${i} - Order: CS26030${String(i).padStart(5, '0')}`;
    } else if (kind < 0.9) {
      subject = `ICP license reward claim - Account: acct-${i}`;
    } else {
      subject = chinese
        ? `投诉：客服响应太慢 账号 acct-${i}`
        : `Complaint about support response, account acct-${i}`;
    }
    const alternative = random() < 0.5;
    // Base64 adds a third and the HTML twin doubles the text: aim at ~5 KB on the wire.
    const budget = alternative ? 1700 : 3400;
    const text = pad(chinese ? '您好，\n' : 'Hello,\n', chinese ? budget / 3 : budget, chinese);
    out.push(Buffer.from(message(n, `ops@acct-${i}.test`, subject, text, alternative)));
  }
  return out;
}

export function message(
  n: number,
  from: string,
  subject: string,
  text: string,
  alternative: boolean,
  messageId = `bench-${n}@mail.test`,
): string {
  const head = [
    `From: Ops <${from}>`,
    'To: claims@cloud.example',
    `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
    'Date: Fri, 27 Feb 2026 10:00:00 +0800',
    `Message-ID: <${messageId}>`,
    'MIME-Version: 1.0',
  ];
  const b64 = (s: string) => Buffer.from(s).toString('base64').replace(/.{76}/g, '$&\r\n');
  if (!alternative) {
    return [
      ...head,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      b64(text),
      '',
    ].join('\r\n');
  }
  const html = `<html><body><p>${text.replace(/\n/g, '<br>')}</p></body></html>`;
  return [
    ...head,
    'Content-Type: multipart/alternative; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64(text),
    '--b1',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64(html),
    '--b1--',
    '',
  ].join('\r\n');
}
