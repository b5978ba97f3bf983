/**
 * The records a decision used, through the review API and the claim page: the replay
 * endpoint runs the engine again on what the assessment stored; the claim detail shows the
 * stored slice (not the records as they are now), or says it shows the current records for
 * a claim assessed before slices were stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, as, createApiFixture } from './review-api-fixture.ts';

let x: ApiFixture;
beforeAll(async () => {
  x = await createApiFixture();
}, 60_000);
afterAll(() => x?.close());

const replayUrl = (id: number, query = '') => `/api/review/claims/${id}/replay${query}`;

async function get(url: string, who = x.agent) {
  return x.app.inject({ url, headers: as(who) });
}

/** Runs `body` with the claim's stored assessments removed, as for a claim from before slices. */
async function withoutStoredAssessments(id: number, body: () => Promise<void>): Promise<void> {
  const client = await x.f.db.pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(
      'DELETE FROM claim_assessments WHERE claim_id = $1 RETURNING *',
      [id],
    );
    await client.query('COMMIT');
    try {
      await body();
    } finally {
      for (const r of rows)
        await client.query(
          `INSERT INTO claim_assessments
             (claim_id, version, message_ids, received_at, sender_authenticated, settings, slice, assessment, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            r.claim_id,
            r.version,
            r.message_ids,
            r.received_at,
            r.sender_authenticated,
            r.settings,
            r.slice,
            r.assessment,
            r.created_at,
          ],
        );
    }
  } finally {
    client.release();
  }
}

describe('replaying a decision through the API', () => {
  it('gives the same decision for every fixture claim, to agents and ops', async () => {
    for (const [name, id] of Object.entries(x.f.ids)) {
      for (const who of [x.agent, x.ops]) {
        const res = await get(replayUrl(id), who);
        expect(res.statusCode, name).toBe(200);
        const r = res.json();
        expect(r, name).toMatchObject({ claimId: id, version: 1, same: true, differences: [] });
        expect(Date.parse(r.assessedAt), name).not.toBeNaN();
        expect(r.replayed, name).toEqual(r.stored);
      }
    }
  });

  it("answers with check's fields (without file) and the records the decision read", async () => {
    const r = (await get(replayUrl(x.f.ids.a))).json();
    expect(Object.keys(r).sort()).toEqual(
      [
        'assessedAt',
        'claimId',
        'differences',
        'records',
        'replayed',
        'same',
        'stored',
        'version',
      ].sort(),
    );
    expect(Object.keys(r.stored)).toEqual([
      'type',
      'decision',
      'account',
      'amount',
      'currency',
      'incidents',
      'orders',
      'occurrences_claimed',
      'fault_times',
      'deadline',
      'reasons',
    ]);
    expect(r.stored).toMatchObject({ type: 'compensation', account: 'demo-shop' });
    expect(r.records.accounts.map((a: { id: string }) => a.id)).toEqual(['demo-shop']);
    expect(r.records.incidents.map((i: { id: string }) => i.id)).toContain('INC-9001');
    const explicit = (await get(replayUrl(x.f.ids.a, '?version=1'))).json();
    expect(explicit).toEqual(r);
  });

  it('answers 401 without credentials, and 404 for an unknown claim', async () => {
    expect((await x.app.inject({ url: replayUrl(x.f.ids.a) })).statusCode).toBe(401);
    const forged = await x.app.inject({
      url: replayUrl(x.f.ids.a),
      headers: { cookie: 'ci_session=forged' },
    });
    expect(forged.statusCode).toBe(401);
    for (const url of [replayUrl(999_999), '/api/review/claims/abc/replay']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe('not_found');
    }
  });

  it('answers 400 invalid_input for a version that is not a decision version', async () => {
    for (const q of [
      'version=0',
      'version=-1',
      'version=1.5',
      'version=x',
      'version=',
      'version=1&version=2',
    ]) {
      const res = await get(replayUrl(x.f.ids.a, `?${q}`));
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.code, q).toBe('invalid_input');
    }
  });

  it('answers 409 replay_unavailable for a version the claim never had', async () => {
    const res = await get(replayUrl(x.f.ids.a, '?version=7'));
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toEqual({
      code: 'replay_unavailable',
      message: `claim ${x.f.ids.a} has no assessment at version 7`,
    });
  });

  it('answers 409 replay_unavailable, saying why, once the email is purged', async () => {
    const id = x.f.ids.late;
    await x.f.db.pool.query(
      `UPDATE messages SET raw = NULL, purged_at = now()
         FROM claims c WHERE c.message_id = messages.id AND c.id = $1`,
      [id],
    );
    const res = await get(replayUrl(id));
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('replay_unavailable');
    expect(res.json().error.message).toMatch(/original email was purged on \d{4}-\d{2}-\d{2}/);
    // The records the decision used are still shown: they do not depend on the email.
    const d = (await get(`/api/review/claims/${id}`)).json();
    expect(d.recordsSource).toBe('assessment');
    expect(d.records.accounts.length).toBeGreaterThan(0);
  });
});

describe('the claim detail’s records', () => {
  it('are the slice the decision read, with its version and time, even after the records change', async () => {
    await x.f.db.pool.query(
      `UPDATE incidents SET data = jsonb_set(data, '{cause}', '"maintenance"') WHERE id = 'INC-9001'`,
    );
    try {
      const d = (await get(`/api/review/claims/${x.f.ids.a}`)).json();
      expect(d).toMatchObject({ recordsSource: 'assessment', recordsVersion: 1 });
      expect(Date.parse(d.recordsAssessedAt)).not.toBeNaN();
      expect(d.incidents).toEqual([
        { id: 'INC-9001', data: expect.objectContaining({ id: 'INC-9001', cause: 'platform' }) },
      ]);
      expect(d.records.accounts.map((a: { id: string }) => a.id)).toEqual(['demo-shop']);
      expect(d.records.resources.length).toBeGreaterThan(0);
      expect(d.records.incidents.find((i: { id: string }) => i.id === 'INC-9001').cause).toBe(
        'platform',
      );
      // The replay reads the same slice, so the decision is unchanged too.
      expect((await get(replayUrl(x.f.ids.a))).json().same).toBe(true);
    } finally {
      await x.f.db.pool.query(
        `UPDATE incidents SET data = jsonb_set(data, '{cause}', '"platform"') WHERE id = 'INC-9001'`,
      );
    }
  });

  it('list a refund claim’s orders from the slice', async () => {
    const d = (await get(`/api/review/claims/${x.f.ids.d}`)).json();
    expect(d.recordsSource).toBe('assessment');
    expect(d.orders.map((o: { id: string }) => o.id)).toEqual(['CS2603020001']);
    expect(d.records.orders.map((o: { id: string }) => o.id)).toContain('CS2603020001');
  });

  it('fall back to the current records, saying so, for a claim assessed before slices', async () => {
    await withoutStoredAssessments(x.f.ids.b, async () => {
      const d = (await get(`/api/review/claims/${x.f.ids.b}`)).json();
      expect(d).toMatchObject({
        recordsSource: 'current',
        recordsVersion: null,
        recordsAssessedAt: null,
      });
      expect(d.incidents.length).toBeGreaterThan(0);
      expect(d.records.incidents).toEqual(d.incidents.map((i: { data: unknown }) => i.data));
      expect(d.records.accounts).toEqual([]);
      const replay = await get(replayUrl(x.f.ids.b));
      expect(replay.statusCode).toBe(409);
      expect(replay.json().error.code).toBe('replay_unavailable');
      expect(replay.json().error.message).toContain('has no stored assessment');

      const page = await x.app.inject({
        url: `/claims/${x.f.ids.b}`,
        headers: { cookie: x.agent.cookie },
      });
      expect(page.body).toContain('data-source="current"');
      expect(page.body).not.toContain('id="replay"');
    });
  });
});

describe('the claim page’s records section', () => {
  it('shows each kind present with the decision version and a Replay button', async () => {
    const res = await x.app.inject({
      url: `/claims/${x.f.ids.a}`,
      headers: { cookie: x.ops.cookie },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h2 id="records-h">Records the decision used</h2>');
    expect(res.body).toContain('data-source="assessment"');
    expect(res.body).toContain('As read by decision version 1');
    expect(res.body).toContain(`id="replay" data-claim-id="${x.f.ids.a}" data-records-version="1"`);
    for (const kind of ['accounts', 'resources', 'incidents'])
      expect(res.body, kind).toContain(`data-kind="${kind}"`);
    // Kinds the decision read none of are left out.
    expect(res.body).not.toContain('data-kind="icpFilings"');
    expect(res.body).toMatch(/<tr class="used"><td>INC-9001 <span class="badge used">used<\/span>/);
    expect(res.body).toContain('<script src="/static/records.js" defer></script>');
    expect((await x.app.inject({ url: '/static/records.js' })).body).toContain('/replay?');
    expect((await x.app.inject({ url: '/static/records.css' })).statusCode).toBe(200);
  });

  it('escapes every record value and folds a long list after 20 rows', async () => {
    const id = x.f.ids.c;
    const resources = Array.from({ length: 25 }, (_, n) => ({
      id: `res-${String(n).padStart(2, '0')}`,
      account: 'star-vip',
      service: n === 0 ? '<img src=x onerror=alert(1)>' : 'ECS',
      region: 'cn-north-1',
      billing: 'monthly',
      daily_fee: '1.00',
      host: false,
      status: 'active',
    }));
    await x.f.db.pool.query(
      `UPDATE claim_assessments SET slice = jsonb_set(slice, '{resources}', $2::jsonb)
        WHERE claim_id = $1`,
      [id, JSON.stringify(resources)],
    );
    const res = await x.app.inject({ url: `/claims/${id}`, headers: { cookie: x.agent.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<img src=x');
    expect(res.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(res.body).toContain('<summary>5 more resources</summary>');
    const section = res.body.slice(res.body.indexOf('data-kind="resources"'));
    const folded = section.slice(section.indexOf('<details class="more">'));
    expect(section.indexOf('res-19')).toBeLessThan(section.indexOf('<details class="more">'));
    expect(folded).toContain('res-20');
    expect(folded).toContain('res-24');
  });
});
