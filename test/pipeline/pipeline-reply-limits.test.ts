/**
 * The flood limits beyond the per-sender one, through the real service (DESIGN "Automatic
 * replies (v1.1)"): REPLY_LIMIT_PER_DOMAIN automatic replies a day to the addresses of one
 * domain that no account knows, and REPLY_LIMIT_PER_HOUR automatic replies an hour in all.
 * Beyond either, a claim goes to review; a reply that tells of a payment waits instead.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobId, REPLY_QUEUE } from '../../src/pipeline/queues.ts';
import { waitFor } from '../support/wait.ts';
import {
  createHarness,
  EXAMPLES,
  type Harness,
  mail,
  uniqueId,
  waitIdle,
} from './pipeline-harness.ts';

const RECEIVED = '2026-03-04T09:00:00+08:00';
const PER_DOMAIN = 3;
const PER_HOUR = 10;
const FINISHED = (c: { state: string }) => c.state === 'answered' || c.state === 'review';

let h: Harness;

beforeAll(async () => {
  h = await createHarness({
    env: { REPLY_LIMIT_PER_DOMAIN: String(PER_DOMAIN), REPLY_LIMIT_PER_HOUR: String(PER_HOUR) },
  });
  await h.start();
});

afterAll(async () => {
  await h?.cleanup();
});

/** Delivers one needs-info claim per address and waits until each is answered or held. */
async function claimsFrom(addresses: string[]) {
  const names = addresses.map((from, i) =>
    h.deliver(
      mail({ from, subject: `Compensation request ${i + 1}`, messageId: uniqueId('limit') }),
      RECEIVED,
    ),
  );
  const claims = await Promise.all(names.map((n) => h.waitClaim(n, FINISHED, 'finished')));
  await waitIdle(h);
  return Promise.all(claims.map((c) => h.claim(c.id)));
}

async function toReviewWhy(claimId: number): Promise<string[]> {
  const { rows } = await h.db.pool.query<{ details: { why: string } }>(
    `SELECT details FROM audit_log WHERE claim_id = $1 AND action = 'claim.to_review'`,
    [claimId],
  );
  return rows.map((r) => r.details.why);
}

describe('the per-domain limit', () => {
  it('answers made-up addresses of one domain REPLY_LIMIT_PER_DOMAIN times and holds the rest', async () => {
    const final = await claimsFrom(['a1', 'a2', 'a3', 'a4', 'a5'].map((u) => `${u}@flood.test`));
    expect(final.filter((c) => c.state === 'answered')).toHaveLength(PER_DOMAIN);
    const held = final.filter((c) => c.state === 'review');
    expect(held).toHaveLength(2);
    for (const c of held) {
      expect(c.reasons).toContain('reply_limit_reached');
      expect(await toReviewWhy(c.id)).toEqual([
        expect.stringMatching(/of flood\.test that no account knows/),
      ]);
    }
    expect(h.sink.messages.filter((m) => /@flood\.test$/.test(m.envelope.to.join()))).toHaveLength(
      PER_DOMAIN,
    );
  });

  it('does not hold a known account’s contacts, who are counted per sender only', async () => {
    const final = await claimsFrom(Array(PER_DOMAIN + 1).fill('it@demo-shop.test'));
    expect(final.map((c) => c.state)).toEqual(Array(PER_DOMAIN + 1).fill('answered'));
  });
});

describe('the hourly cap on all automatic replies', () => {
  it('holds every claim beyond REPLY_LIMIT_PER_HOUR replies in the last hour, whatever its domain', async () => {
    const before = await h.count('SELECT count(*) n FROM replies');
    const room = PER_HOUR - before;
    expect(room).toBeGreaterThan(0);
    const final = await claimsFrom(Array.from({ length: room + 2 }, (_, i) => `b@d${i}.test`));
    expect(final.filter((c) => c.state === 'answered')).toHaveLength(room);
    const held = final.filter((c) => c.state === 'review');
    expect(held).toHaveLength(2);
    for (const c of held) {
      expect(c.reasons).toContain('reply_limit_reached');
      expect(await toReviewWhy(c.id)).toEqual([expect.stringMatching(/in the last hour/)]);
    }
    expect(await h.count('SELECT count(*) n FROM replies')).toBe(PER_HOUR);
  });

  it('delays the reply to a payment beyond the cap until the hour allows it, then sends it once', async () => {
    const raw = readFileSync(join(EXAMPLES, 'emails/compensation-approved.eml'));
    const name = h.deliver(raw, RECEIVED);
    const claim = await h.waitClaim(name, (c) => c.state === 'settled', 'settled');
    const job = async () =>
      h.queue(REPLY_QUEUE).getJob(jobId(REPLY_QUEUE, { claimId: claim.id, version: 1 }));
    await waitFor(async () => (await (await job())?.isDelayed()) === true, {
      message: 'reply job delayed',
    });
    expect((await h.ledger(claim.id)).map((l) => l.amount)).toEqual(['100.0000']);
    expect(await h.replies(claim.id)).toEqual([]);
    expect((await h.claim(claim.id)).reasons).not.toContain('reply_limit_reached');
    // It waits until the oldest reply of the last hour leaves the hour.
    const { rows } = await h.db.pool.query<{ exact: boolean }>(
      `SELECT d.until = (SELECT min(created_at) FROM replies) + interval '1 hour' AS exact
         FROM reply_deferrals d WHERE d.claim_id = $1`,
      [claim.id],
    );
    expect(rows).toEqual([{ exact: true }]);

    // An hour later: the earlier replies leave the window, and the delayed job comes due.
    await h.db.pool.query(`UPDATE replies SET created_at = created_at - interval '1 hour'`);
    await (await job())!.promote();
    await h.waitClaim(name, (c) => c.state === 'answered', 'answered');
    await waitIdle(h);
    const replies = await h.replies(claim.id);
    expect(replies.map((r) => [r.kind, r.state])).toEqual([['compensation_approved', 'sent']]);
    expect(await h.sentTo('3a889125acda4178@mail.test')).toHaveLength(1);
  });
});
