import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI } from '../../src/web/openapi/index.ts';
import { createWebHarness, type WebHarness } from './web-harness.ts';

let h: WebHarness;
beforeAll(async () => {
  h = await createWebHarness();
});
afterAll(() => h?.close());

const ROUTES = [
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'GET /api/openapi.json',
  'POST /api/session',
  'DELETE /api/session',
  'GET /api/me',
  'GET /api/tokens',
  'POST /api/tokens',
  'DELETE /api/tokens/{id}',
  'GET /api/users',
  'POST /api/users',
  'PATCH /api/users/{id}',
  'PUT /api/records/{kind}',
  'GET /api/review/claims',
  'GET /api/review/claims/{id}',
  'GET /api/review/claims/{id}/email.html',
  'GET /api/review/claims/{id}/attachments',
  'GET /api/review/claims/{id}/attachments/{index}',
  'GET /api/review/claims/{id}/replay',
  'POST /api/review/claims/{id}/approve',
  'POST /api/review/claims/{id}/reject',
  'POST /api/review/claims/{id}/request-info',
  'POST /api/review/claims/{id}/assign',
  'POST /api/review/claims/{id}/preview',
  'GET /api/review/claims/{id}/preview.html',
  'GET /api/ops/queues',
  'GET /api/ops/queues/{queue}/failed',
  'POST /api/ops/queues/{queue}/failed/{jobId}/retry',
  'POST /api/ops/queues/{queue}/failed/{jobId}/discard',
  'POST /api/ops/queues/{queue}/retry-failed',
  'POST /api/ops/queues/{queue}/pause',
  'POST /api/ops/queues/{queue}/resume',
  'GET /api/ops/mailboxes',
];

describe('the console server', () => {
  it('answers /healthz with ok', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.json()).toEqual({ ok: true });
  });

  it('sends the security headers on every response, errors included', async () => {
    for (const url of ['/healthz', '/api/me', '/nowhere']) {
      const res = await h.app.inject({ method: 'GET', url });
      expect(res.headers).toMatchObject({
        'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
    }
  });

  it('describes every route in /api/openapi.json, and every described route exists', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/openapi.json' });
    const doc = res.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    expect(doc.openapi).toBe('3.1.0');
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(listed.sort()).toEqual([...ROUTES].sort());
    for (const [path, ops] of Object.entries(OPENAPI.paths)) {
      for (const method of Object.keys(ops)) {
        const url = path.replace(/\{(\w+)\}/g, ':$1');
        expect(
          h.app.hasRoute({ method: method.toUpperCase() as 'GET', url }),
          `${method} ${path}`,
        ).toBe(true);
      }
    }
  });

  it('answers an unknown route with 404 not_found in the error shape', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/nothing' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('answers malformed JSON with 400 bad_request and no stack trace', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'bad_request', message: expect.any(String) } });
    expect(res.body).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('answers a form-encoded sign-in (a cross-site form post) with 415', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=a%40b.c&password=x',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('unsupported_media_type');
  });

  it('answers a database failure with 500 internal and no detail', async () => {
    await h.db.pool.query('ALTER TABLE sign_in_attempts RENAME TO sign_in_attempts_gone');
    try {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: 'a@example.com', password: 'whatever it is' },
      });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
    } finally {
      await h.db.pool.query('ALTER TABLE sign_in_attempts_gone RENAME TO sign_in_attempts');
    }
  });
});
