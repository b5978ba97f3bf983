/**
 * The API's error table: one stable code per failure, with its HTTP status and the message
 * clients see. Responses are always `{ error: { code, message } }`; nothing else (no stack,
 * no driver text) leaves the server.
 */
export const API_ERRORS = {
  bad_request: { status: 400, message: 'the request is malformed' },
  invalid_credentials: { status: 401, message: 'wrong email or password' },
  unauthenticated: { status: 401, message: 'sign in or send a valid bearer token' },
  csrf_failed: { status: 403, message: 'missing or wrong X-CSRF-Token header' },
  forbidden: { status: 403, message: 'your role does not allow this' },
  not_found: { status: 404, message: 'no such resource' },
  invalid_input: { status: 400, message: 'the request is not a valid review action' },
  invalid_records: { status: 400, message: 'the records are not valid' },
  version_conflict: {
    status: 409,
    message: 'someone else changed this claim since you loaded it; reload it',
  },
  not_reviewable: { status: 409, message: 'the claim is not waiting for review' },
  replay_unavailable: {
    status: 409,
    message: 'nothing to replay: no stored assessment, or its email was purged',
  },
  conflict: { status: 409, message: 'that already exists' },
  method_not_allowed: { status: 405, message: 'method not allowed' },
  payload_too_large: { status: 413, message: 'the request body is too large' },
  unsupported_media_type: { status: 415, message: 'send application/json' },
  rate_limited: { status: 429, message: 'too many failed sign-ins; try again later' },
  unknown_queue: { status: 404, message: 'no such queue; the queues are assess, settle, reply' },
  invalid_job_id: { status: 400, message: 'a job id is 1–200 letters, digits, :, _ or -' },
  job_not_found: { status: 404, message: 'no such job in that queue' },
  job_not_failed: { status: 409, message: 'the job is not failed (any more); reload' },
  ops_unavailable: { status: 503, message: 'this web process has no connection to the queues' },
  redis_unavailable: { status: 503, message: 'Redis is not reachable; try again shortly' },
  internal: { status: 500, message: 'internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}

/** Thrown by handlers and hooks; the server's error handler turns it into the JSON shape. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string = API_ERRORS[code].message,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = API_ERRORS[code].status;
  }

  body(): ApiErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

/** Fastify's own errors (bad JSON, wrong content type, …) mapped by status to our codes. */
export function fromStatus(status: number | undefined): ApiError {
  switch (status) {
    case 400:
      return new ApiError('bad_request');
    case 404:
      return new ApiError('not_found');
    case 405:
      return new ApiError('method_not_allowed');
    case 413:
      return new ApiError('payload_too_large');
    case 415:
      return new ApiError('unsupported_media_type');
    default:
      return new ApiError(status !== undefined && status < 500 ? 'bad_request' : 'internal');
  }
}
