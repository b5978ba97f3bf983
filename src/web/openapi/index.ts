/** The OpenAPI 3.1 description of every route the console serves (data only). */
import { OPS_PATHS } from './ops.ts';
import { csrf, errors, idParam, json } from './parts.ts';
import { RECORDS_PATHS } from './records.ts';
import { REVIEW_PATHS } from './review.ts';

const role = { type: 'string', enum: ['agent', 'ops', 'admin'] };
const scopes = {
  type: 'array',
  items: { type: 'string', enum: ['records'] },
  uniqueItems: true,
  description: 'Capabilities beyond the role: records = PUT /api/records/{kind}',
};
const user = {
  type: 'object',
  properties: { email: { type: 'string' }, role },
  required: ['email', 'role'],
};

export const OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'claim-intake console API', version: '0.1.0' },
  components: {
    securitySchemes: {
      session: { type: 'apiKey', in: 'cookie', name: 'ci_session' },
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description:
          'An API token, cit_…: acts with its role; its scopes (records) each add one capability',
      },
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
          "Readiness: Redis, PostgreSQL, each mailbox and (where replies are sent) SMTP or the outbox. Served on METRICS_PORT instead when it is set. A failing check says a code, never the driver's message: timeout, unreachable, auth_failed, tls_failed, failed, not_writable, not_connected, no_leader, leader_stale, state_unreadable",
        security: [],
        responses: {
          '200': { description: '{ "ready": true, "checks": { "<name>": { "ok": true } } }' },
          '503': {
            description:
              '{ "ready": false, "checks": { "<name>": { "ok": false, "error": "<code>" } } }',
          },
        },
      },
    },
    '/metrics': {
      get: {
        summary:
          'Prometheus metrics (text exposition format); unauthenticated, like /healthz. Served on METRICS_PORT instead when it is set',
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
          ...errors(400, 401, 429),
        },
      },
      delete: {
        summary: 'Sign out',
        parameters: [csrf],
        responses: { '204': { description: 'Signed out' }, ...errors(401, 403) },
      },
    },
    '/api/me': {
      get: {
        summary: 'The caller: a signed-in user, or an API token { id, name, scopes }',
        responses: { '200': { description: 'The caller' }, ...errors(401) },
      },
    },
    '/api/tokens': {
      get: {
        summary:
          'List API tokens (admin), newest first: id, name, role, scopes, createdBy { id, email }, createdAt, expiresAt, lastUsedAt, revokedAt; never the token',
        responses: { '200': { description: '{ tokens }' }, ...errors(401, 403) },
      },
      post: {
        summary:
          'Create an API token (admin); the token is in this response only. It acts for its maker: revoked when the maker is disabled, or demoted below its role; it expires after expiresInDays (API_TOKEN_DAYS by default, at most API_TOKEN_MAX_DAYS)',
        parameters: [csrf],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  name: { type: 'string', maxLength: 100 },
                  role,
                  scopes,
                  expiresInDays: { type: 'integer', minimum: 1 },
                },
                required: ['name'],
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'The token',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    id: { type: 'integer' },
                    name: { type: 'string' },
                    role,
                    scopes,
                    expiresAt: { type: 'string', format: 'date-time' },
                    token: { type: 'string' },
                  },
                },
              },
            },
          },
          ...errors(400, 401, 403),
        },
      },
    },
    '/api/tokens/{id}': {
      delete: {
        summary: 'Revoke an API token (admin)',
        parameters: [csrf, { name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: { '204': { description: 'Revoked' }, ...errors(401, 403, 404) },
      },
    },
    '/api/users': {
      get: {
        summary: 'List users (admin): id, email, role, disabled, createdAt; never password hashes',
        responses: { '200': { description: '{ users }' }, ...errors(401, 403) },
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
          ...errors(400, 401, 403, 409),
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
          ...errors(400, 401, 403, 404),
        },
      },
    },
    ...RECORDS_PATHS,
    ...REVIEW_PATHS,
    ...OPS_PATHS,
  },
} as const;
