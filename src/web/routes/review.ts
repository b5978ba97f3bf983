/**
 * The review API over the review service. Reading (queue, claim, email, attachments, and the
 * decision's replay in review-replay-routes.ts) is open to every role, so ops can watch the
 * backlog; deciding, assigning and previewing replies are agent and admin work. The
 * service's ReviewError codes map to statuses through REVIEW_ERROR_STATUS, so every route
 * reports them the same way.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { Principal } from '../../auth/principal.ts';
import { ReplyTemplates } from '../../reply/render/templates.ts';
import { approve, assign, reject, requestInfo, type StageProducer } from '../../review/actions.ts';
import { downloadAttachment, getClaimDetail, getOriginalEmail } from '../../review/detail.ts';
import type { DecisionDraft } from '../../review/draft.ts';
import { REVIEW_ERROR_STATUS, ReviewError } from '../../review/errors.ts';
import { previewReply } from '../../review/preview.ts';
import { listReviewQueue } from '../../review/queue.ts';
import { ApiError, type ApiErrorCode } from '../errors.ts';
import { guard } from '../guard.ts';
import { type Query, queueQuery } from '../queue-query.ts';
import { emailDocument } from '../sanitize.ts';
import { replayRoutes } from './review-replay.ts';

export interface ReviewRoutesOptions {
  pool: pg.Pool;
  producer: StageProducer;
  /** Loaded on the first preview when not given (tests and tools that never preview). */
  templates?: ReplyTemplates;
}

/**
 * The email document runs nothing, loads nothing but inline styles and data: images, and only
 * the console's claim page may frame it: another site framing it under an agent's session
 * could dress the customer's words up as the console's own (clickjacking, UI redressing).
 */
export const EMAIL_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox";

/**
 * The reply preview document: the templates' inline styles apply, nothing runs or loads, and
 * only the console itself may frame it. (A srcdoc frame would inherit the console's CSP,
 * whose default-src 'self' blocks those inline styles.)
 */
export const REPLY_PREVIEW_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox";

/**
 * A downloaded attachment is never rendered: no script, no fetch, no same-origin document, and
 * no page may frame it (not even the console's: a framed response could be shown, not saved).
 */
export const ATTACHMENT_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

/** The ASCII `filename=` fallback: letters, digits and a few marks, nothing a header parser trips on. */
export function asciiFilename(name: string): string {
  const safe = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._ -]+/g, '_')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, 150);
  return safe === '' || /^_+$/.test(safe) ? 'attachment' : safe;
}

/** `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266 / RFC 8187). */
export function attachmentDisposition(name: string): string {
  const utf8 = encodeURIComponent(name || 'attachment').replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${asciiFilename(name)}"; filename*=UTF-8''${utf8}`;
}

const REVIEW_CODES: Record<ReviewError['code'], ApiErrorCode> = {
  not_found: 'not_found',
  version_conflict: 'version_conflict',
  not_reviewable: 'not_reviewable',
  invalid_input: 'invalid_input',
};

/** The service's error as the API's, with the service's message (it names no internals). */
function apiErrorOf(error: ReviewError): ApiError {
  const e = new ApiError(REVIEW_CODES[error.code], error.message);
  // The table in errors.ts and REVIEW_ERROR_STATUS must agree; a drift is a bug, caught here.
  if (e.status !== REVIEW_ERROR_STATUS[error.code]) return new ApiError('internal');
  return e;
}

async function run<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ReviewError) throw apiErrorOf(error);
    throw error;
  }
}

/**
 * The audit actor. Sessions act as their user; a token has no email, so it gets a stable
 * pseudo-address naming the token, which the service's 'agent:<email>' rule accepts.
 */
export function agentActor(p: Principal): string {
  return p.kind === 'session' ? `agent:${p.email}` : `agent:token-${p.tokenId}@api-token.local`;
}

function claimId(request: FastifyRequest): number {
  const raw = (request.params as { id: string }).id;
  if (!/^\d{1,15}$/.test(raw)) throw new ApiError('not_found');
  return Number(raw);
}

type Body = Record<string, unknown>;

function body(request: FastifyRequest): Body {
  const b = request.body;
  if (typeof b !== 'object' || b === null || Array.isArray(b))
    throw new ApiError('invalid_input', 'send a JSON object');
  return b as Body;
}

function version(b: Body): number {
  const v = b.expectedVersion;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new ApiError('invalid_input', "'expectedVersion' (an integer) is required");
  return v;
}

function optText(b: Body, name: string): string | undefined {
  const v = b[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length > 4000)
    throw new ApiError('invalid_input', `'${name}' must be text`);
  return v;
}

function list(b: Body, name: string): string[] {
  const v = b[name];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new ApiError('invalid_input', `'${name}' must be a list of codes`);
  return v as string[];
}

function draftOf(b: Body): DecisionDraft {
  const note = optText(b, 'note');
  const n = note === undefined ? {} : { note };
  switch (b.decision) {
    case 'approved': {
      const amount = optText(b, 'amount');
      return { decision: 'approved', ...(amount === undefined ? {} : { amount }), ...n };
    }
    case 'rejected':
      return { decision: 'rejected', reasons: list(b, 'reasons'), ...n };
    case 'needs_info':
      return { decision: 'needs_info', missing: list(b, 'missing'), ...n };
    default:
      throw new ApiError('invalid_input', "'decision' is approved, rejected or needs_info");
  }
}

/** The preview's draft from a query string: the same fields as the JSON body, lists comma-joined. */
function draftOfQuery(q: Query): DecisionDraft {
  const b: Body = {};
  for (const [name, v] of Object.entries(q)) {
    if (Array.isArray(v)) throw new ApiError('invalid_input', `give '${name}' once`);
    b[name] = name === 'reasons' || name === 'missing' ? (v ?? '').split(',').filter(Boolean) : v;
  }
  return draftOf(b);
}

export function reviewRoutes(app: FastifyInstance, opts: ReviewRoutesOptions): void {
  const { pool, producer } = opts;
  let templates: Promise<ReplyTemplates> | undefined =
    opts.templates && Promise.resolve(opts.templates);
  const loadTemplates = () => {
    templates ??= ReplyTemplates.load();
    return templates;
  };
  const read = { preHandler: guard(pool) };
  const act = { preHandler: guard(pool, ['agent', 'admin']) };
  const who = (r: FastifyRequest) => agentActor(r.principal!);

  app.get('/api/review/claims', read, async (request) => {
    const p = request.principal!;
    const q = queueQuery(request.query as Query, p.kind === 'session' ? p.email : null);
    return run(() =>
      listReviewQueue(pool, q.filters, q.sort, {
        ...(q.limit === undefined ? {} : { limit: q.limit }),
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      }),
    );
  });

  app.get('/api/review/claims/:id', read, async (request) => {
    const id = claimId(request);
    const [d, email] = await run(() =>
      Promise.all([getClaimDetail(pool, id), getOriginalEmail(pool, id)]),
    );
    // Raw HTML never leaves the server: the API hands out the sanitized document.
    const html = email.html === null ? null : sanitized({ email });
    return { ...d, email: { ...d.email, html } };
  });

  // The original email: the one view that parses the source (the claim page reads facts).
  app.get('/api/review/claims/:id/email.html', read, async (request, reply: FastifyReply) => {
    const d = { email: await run(() => getOriginalEmail(pool, claimId(request))) };
    // The server's onSend hook keeps a CSP a route set, so this stricter one is what is sent.
    reply.header('content-security-policy', EMAIL_CSP);
    return reply.type('text/html; charset=utf-8').send(sanitized(d));
  });

  app.get('/api/review/claims/:id/attachments', read, async (request) => {
    const d = await run(() => getClaimDetail(pool, claimId(request)));
    return { attachments: d.email.attachments };
  });

  app.get('/api/review/claims/:id/attachments/:index', read, async (request, reply) => {
    const id = claimId(request);
    const rawIndex = (request.params as { index: string }).index;
    if (!/^\d{1,6}$/.test(rawIndex)) throw new ApiError('not_found');
    const index = Number(rawIndex);
    const attachment = await run(() => downloadAttachment(pool, id, index, who(request)));
    if (!attachment) throw new ApiError('not_found');
    // Never the sender's declared type: the browser saves the bytes and renders nothing.
    reply.header('content-security-policy', ATTACHMENT_CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('content-disposition', attachmentDisposition(attachment.filename));
    return reply.type('application/octet-stream').send(attachment.content);
  });

  replayRoutes(app, { pool, read: read.preHandler });

  app.post('/api/review/claims/:id/approve', act, async (request) => {
    const b = body(request);
    const amount = optText(b, 'amount');
    const note = optText(b, 'note');
    return run(() =>
      approve(pool, producer, {
        claimId: claimId(request),
        expectedVersion: version(b),
        actor: who(request),
        // Only an admin may pay more than computed or above the review limit (actions.ts).
        role: request.principal!.role,
        ...(amount === undefined ? {} : { amount }),
        ...(note === undefined ? {} : { note }),
      }),
    );
  });

  app.post('/api/review/claims/:id/reject', act, async (request) => {
    const b = body(request);
    const note = optText(b, 'note');
    return run(() =>
      reject(pool, producer, {
        claimId: claimId(request),
        expectedVersion: version(b),
        actor: who(request),
        reasons: list(b, 'reasons'),
        ...(note === undefined ? {} : { note }),
      }),
    );
  });

  app.post('/api/review/claims/:id/request-info', act, async (request) => {
    const b = body(request);
    const note = optText(b, 'note');
    return run(() =>
      requestInfo(pool, producer, {
        claimId: claimId(request),
        expectedVersion: version(b),
        actor: who(request),
        missing: list(b, 'missing'),
        ...(note === undefined ? {} : { note }),
      }),
    );
  });

  app.post('/api/review/claims/:id/assign', act, async (request) => {
    const b = body(request);
    const assignee = b.assignee;
    if (assignee !== null && (typeof assignee !== 'string' || assignee.length > 254))
      throw new ApiError('invalid_input', "'assignee' is an agent's email, or null to release");
    return run(() => assign(pool, { claimId: claimId(request), assignee, actor: who(request) }));
  });

  app.post('/api/review/claims/:id/preview', act, async (request) => {
    const draft = draftOf(body(request));
    const t = await loadTemplates();
    return run(() => previewReply(pool, t, claimId(request), draft, who(request)));
  });

  // The same preview as an HTML document for the console's sandboxed frame. Safe as a GET:
  // a preview saves nothing.
  app.get('/api/review/claims/:id/preview.html', act, async (request, reply) => {
    const draft = draftOfQuery(request.query as Query);
    const t = await loadTemplates();
    const p = await run(() => previewReply(pool, t, claimId(request), draft, who(request)));
    reply.header('content-security-policy', REPLY_PREVIEW_CSP);
    return reply.type('text/html; charset=utf-8').send(p.html);
  });
}

function sanitized(d: {
  email: { html: string | null; text: string; purgedAt: string | null };
}): string {
  if (d.email.purgedAt)
    return emailDocument(
      null,
      `The original email was purged on ${d.email.purgedAt.slice(0, 10)}.`,
    );
  return emailDocument(d.email.html, d.email.text);
}
