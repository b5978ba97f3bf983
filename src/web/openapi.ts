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
  },
} as const;
