/** The OpenAPI 3.1 description of every route the console serves (data only). */
const error = {
  description: 'An error',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};
const csrf = {
  name: 'X-CSRF-Token',
  in: 'header',
  required: false,
  description: 'Required on state-changing requests authenticated by the session cookie',
  schema: { type: 'string' },
};
const role = { type: 'string', enum: ['agent', 'ops', 'admin'] };
const user = {
  type: 'object',
  properties: { email: { type: 'string' }, role },
  required: ['email', 'role'],
};

const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };
const json = (properties: Record<string, unknown>, required: string[]) => ({
  required: true,
  content: { 'application/json': { schema: { type: 'object', properties, required } } },
});
const codes = { type: 'array', items: { type: 'string' } };
/** Reading is open to every role (ops watch the backlog); acting is agent and admin work. */
const readClaim = (summary: string, ok: string) => ({
  get: {
    summary,
    parameters: [idParam],
    responses: { '200': { description: ok }, '401': error, '404': error },
  },
});
const action = (summary: string, body: ReturnType<typeof json>) => ({
  post: {
    summary: `${summary} (agent, admin); the audit actor is agent:<email>`,
    parameters: [csrf, idParam],
    requestBody: body,
    responses: {
      '200': { description: 'Done' },
      '400': error,
      '401': error,
      '403': error,
      '404': error,
      '409': error,
    },
  },
});
const query = (name: string, type: string, description: string) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema: { type },
});

const queueParam = {
  name: 'queue',
  in: 'path',
  required: true,
  schema: { type: 'string', enum: ['assess', 'settle', 'reply'] },
};
const jobIdParam = { name: 'jobId', in: 'path', required: true, schema: { type: 'string' } };
/** Ops actions take no body; the answer says what was done. */
const opsAction = (summary: string, extra: (typeof jobIdParam)[] = []) => ({
  post: {
    summary: `${summary} (ops, admin)`,
    parameters: [csrf, queueParam, ...extra],
    responses: {
      '200': { description: 'Done' },
      '400': error,
      '401': error,
      '403': error,
      '404': error,
      '409': error,
      '503': error,
    },
  },
});

export const OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'claim-intake console API', version: '0.1.0' },
  components: {
    securitySchemes: {
      session: { type: 'apiKey', in: 'cookie', name: 'ci_session' },
      bearer: { type: 'http', scheme: 'bearer', description: 'An API token, cit_…' },
    },
    schemas: {
      Error: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: { code: { type: 'string' }, message: { type: 'string' } },
            required: ['code', 'message'],
          },
        },
        required: ['error'],
      },
    },
  },
  security: [{ session: [] }, { bearer: [] }],
  paths: {
    '/healthz': {
      get: {
        summary: 'Liveness',
        security: [],
        responses: { '200': { description: '{ "ok": true }' } },
      },
    },
    '/readyz': {
      get: {
        summary:
          'Readiness: Redis, PostgreSQL, each mailbox and (where replies are sent) SMTP or the outbox',
        security: [],
        responses: {
          '200': { description: '{ "ready": true, "checks": { "<name>": { "ok": true } } }' },
          '503': {
            description:
              '{ "ready": false, "checks": { "<name>": { "ok": false, "error": "…" } } }',
          },
        },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics (text exposition format); unauthenticated, like /healthz',
        security: [],
        responses: { '200': { description: 'text/plain; version=0.0.4' } },
      },
    },
    '/api/openapi.json': {
      get: {
        summary: 'This document',
        security: [],
        responses: { '200': { description: 'OpenAPI 3.1' } },
      },
    },
    '/api/session': {
      post: {
        summary: 'Sign in; sets the ci_session cookie and returns the CSRF token',
        security: [],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { email: { type: 'string' }, password: { type: 'string' } },
                required: ['email', 'password'],
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'Signed in',
            content: {
              'application/json': {
                schema: { type: 'object', properties: { user, csrfToken: { type: 'string' } } },
              },
            },
          },
          '400': error,
          '401': error,
          '429': error,
        },
      },
      delete: {
        summary: 'Sign out',
        parameters: [csrf],
        responses: { '204': { description: 'Signed out' }, '401': error, '403': error },
      },
    },
    '/api/me': {
      get: {
        summary: 'The caller: a signed-in user or an API token',
        responses: { '200': { description: 'The caller' }, '401': error },
      },
    },
    '/api/tokens': {
      post: {
        summary: 'Create an API token (admin); the token is in this response only',
        parameters: [csrf],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { name: { type: 'string', maxLength: 100 }, role },
                required: ['name'],
              },
            },
          },
        },
        responses: {
          '201': { description: '{ id, name, role, token }' },
          '401': error,
          '403': error,
        },
      },
    },
    '/api/tokens/{id}': {
      delete: {
        summary: 'Revoke an API token (admin)',
        parameters: [csrf, { name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: { '204': { description: 'Revoked' }, '401': error, '403': error, '404': error },
      },
    },
    '/api/users': {
      get: {
        summary: 'List users (admin): id, email, role, disabled, createdAt; never password hashes',
        responses: { '200': { description: '{ users }' }, '401': error, '403': error },
      },
      post: {
        summary: 'Create a user (admin); the password needs at least 12 characters',
        parameters: [csrf],
        requestBody: json(
          { email: { type: 'string' }, role, password: { type: 'string', minLength: 12 } },
          ['email', 'role', 'password'],
        ),
        responses: {
          '201': { description: '{ id }' },
          '400': error,
          '401': error,
          '403': error,
          '409': error,
        },
      },
    },
    '/api/users/{id}': {
      patch: {
        summary:
          "Change a user's role or disable them (admin); disabling ends their sessions; not yourself",
        parameters: [csrf, idParam],
        requestBody: json({ role, disabled: { type: 'boolean' } }, []),
        responses: {
          '200': { description: '{ id, role?, disabled? }' },
          '400': error,
          '401': error,
          '403': error,
          '404': error,
        },
      },
    },
    '/api/review/claims': {
      get: {
        summary: 'The review queue with filters, reason counts and keyset paging (any role)',
        parameters: [
          query('reason', 'string', 'Repeatable, or a comma list: claims with any of them'),
          query('type', 'string', 'compensation, refund, icp_reward, …'),
          query('vip', 'boolean', 'true or false'),
          query('minAge', 'integer', 'Minutes since receipt, at least'),
          query('maxAge', 'integer', 'Minutes since receipt, at most'),
          query('minAmount', 'string', 'Exact decimal text (100 or 99.50), at least'),
          query('maxAmount', 'string', 'Exact decimal text, at most'),
          query('mailbox', 'string', 'Mailbox name'),
          query(
            'assignee',
            'string',
            "An agent's email, 'none' for unassigned claims, or 'me' (a session's own user)",
          ),
          query('sort', 'string', 'oldest (default) or priority'),
          query('limit', 'integer', '1–100, default 50'),
          query('cursor', 'string', 'nextCursor of the previous page'),
        ],
        responses: {
          '200': { description: '{ items, total, countsByReason, nextCursor }' },
          '400': error,
          '401': error,
        },
      },
    },
    '/api/review/claims/{id}': readClaim(
      'A claim in full (any role); email.html is the sanitized document',
      'The claim detail',
    ),
    '/api/review/claims/{id}/email.html': readClaim(
      'The sanitized email as an HTML document under a sandboxing CSP (any role)',
      'text/html',
    ),
    '/api/review/claims/{id}/attachments': readClaim(
      'Attachment metadata: filename, contentType, size, sha256 (any role)',
      '{ attachments }',
    ),
    '/api/review/claims/{id}/attachments/{index}': {
      get: {
        summary:
          'One attachment as a download (any role): application/octet-stream, Content-Disposition: attachment, a sandboxing CSP; audited as attachment.download',
        parameters: [
          idParam,
          {
            name: 'index',
            in: 'path',
            required: true,
            description: 'Position in the attachments list, from 0',
            schema: { type: 'integer', minimum: 0 },
          },
        ],
        responses: {
          '200': {
            description: 'The attachment bytes',
            content: {
              'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
            },
          },
          '401': error,
          '404': error,
        },
      },
    },
    '/api/review/claims/{id}/approve': action(
      'Approve, optionally with another amount (needs a note)',
      json(
        {
          expectedVersion: { type: 'integer' },
          amount: { type: 'string' },
          note: { type: 'string' },
        },
        ['expectedVersion'],
      ),
    ),
    '/api/review/claims/{id}/reject': action(
      'Reject with reason codes',
      json({ expectedVersion: { type: 'integer' }, reasons: codes, note: { type: 'string' } }, [
        'expectedVersion',
        'reasons',
      ]),
    ),
    '/api/review/claims/{id}/request-info': action(
      'Ask the customer for missing information',
      json({ expectedVersion: { type: 'integer' }, missing: codes, note: { type: 'string' } }, [
        'expectedVersion',
        'missing',
      ]),
    ),
    '/api/review/claims/{id}/assign': action(
      'Assign the claim to an agent, or release it with null',
      json({ assignee: { type: ['string', 'null'] } }, ['assignee']),
    ),
    '/api/review/claims/{id}/preview': action(
      'The reply a draft decision would send; nothing is saved',
      json(
        {
          decision: { type: 'string', enum: ['approved', 'rejected', 'needs_info'] },
          amount: { type: 'string' },
          reasons: codes,
          missing: codes,
          note: { type: 'string' },
        },
        ['decision'],
      ),
    ),
    '/api/review/claims/{id}/preview.html': {
      get: {
        summary:
          'The same preview as an HTML document for a sandboxed frame (agent, admin): its CSP allows inline styles and nothing else; nothing is saved',
        parameters: [
          idParam,
          query('decision', 'string', 'approved, rejected or needs_info'),
          query('amount', 'string', 'An edited amount (approved)'),
          query('reasons', 'string', 'Comma list of reason codes (rejected)'),
          query('missing', 'string', 'Comma list of what is missing (needs_info)'),
          query('note', 'string', 'The agent note'),
        ],
        responses: {
          '200': { description: 'text/html' },
          '400': error,
          '401': error,
          '403': error,
          '404': error,
        },
      },
    },
    '/api/ops/queues': {
      get: {
        summary:
          'Each queue (assess, settle, reply): counts by state, paused, completed and failed in the last hour, throughput per minute, failure rate, oldest waiting job in seconds (ops, admin)',
        responses: {
          '200': { description: '{ queues, at }' },
          '401': error,
          '403': error,
          '503': error,
        },
      },
    },
    '/api/ops/queues/{queue}/failed': {
      get: {
        summary:
          "A queue's failed jobs, most recent first: id, claimId, attemptsMade, failedReason, stack, finishedAt (ops, admin)",
        parameters: [
          queueParam,
          query('offset', 'integer', 'Jobs to skip, default 0'),
          query('limit', 'integer', '1–100, default 20'),
        ],
        responses: {
          '200': { description: '{ queue, total, offset, limit, jobs }' },
          '400': error,
          '401': error,
          '403': error,
          '404': error,
          '503': error,
        },
      },
    },
    '/api/ops/queues/{queue}/failed/{jobId}/retry': opsAction(
      'Move one failed job back to waiting for another attempt; audited as ops.job.retry',
      [jobIdParam],
    ),
    '/api/ops/queues/{queue}/failed/{jobId}/discard': opsAction(
      'Remove one failed job for good; audited as ops.job.discard',
      [jobIdParam],
    ),
    '/api/ops/queues/{queue}/retry-failed': opsAction(
      'Move every failed job of the queue back to waiting; audited as ops.queue.retry_failed',
    ),
    '/api/ops/queues/{queue}/pause': opsAction(
      'Pause the queue for every worker process (jobs stay in line); audited as ops.queue.pause',
    ),
    '/api/ops/queues/{queue}/resume': opsAction(
      'Resume a paused queue; audited as ops.queue.resume',
    ),
    '/api/ops/mailboxes': {
      get: {
        summary:
          "Each mailbox's state as its poller published it: connected, leader, lastPollAt, lagSeconds, stored, quarantined, reconnects, updatedAt, fresh (ops, admin)",
        responses: {
          '200': { description: '{ mailboxes, at }' },
          '401': error,
          '403': error,
          '503': error,
        },
      },
    },
  },
} as const;
