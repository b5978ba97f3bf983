/** The OpenAPI description of the review API (src/web/routes/review.ts); data only. */
import { csrf, error, errors, idParam, json, query } from './parts.ts';

const codes = { type: 'array', items: { type: 'string' } };
/** Reading is open to every role (ops watch the backlog); acting is agent and admin work. */
const readClaim = (summary: string, ok: string) => ({
  get: {
    summary,
    parameters: [idParam],
    responses: { '200': { description: ok }, ...errors(401, 404) },
  },
});
const action = (summary: string, body: ReturnType<typeof json>) => ({
  post: {
    summary: `${summary} (agent, admin); the audit actor is agent:<email>`,
    parameters: [csrf, idParam],
    requestBody: body,
    responses: {
      '200': { description: 'Done' },
      ...errors(400, 401, 403, 404, 409),
    },
  },
});

export const REVIEW_PATHS = {
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
        ...errors(400, 401),
      },
    },
  },
  '/api/review/claims/{id}': readClaim(
    'A claim in full (any role); email.html is the sanitized document, email.text the first 16,000 characters of the text (email.textChars: its whole length), attachments the first 100 (attachmentCount: all of them)',
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
        ...errors(401, 404),
      },
    },
  },
  '/api/review/claims/{id}/replay': {
    get: {
      summary:
        "Replay a decision (any role): the engine runs again on the email, record slice, policy and calendar stored with it; stored and replayed are `check`'s fields (without file); not audited",
      parameters: [
        idParam,
        query(
          'version',
          'integer',
          'The decision version to replay (1 or more); default the latest',
        ),
      ],
      responses: {
        '200': {
          description:
            '{ claimId, version, assessedAt, same, differences (assessment field names, details.<key> for the explanation), stored, replayed, records (the slice: accounts, resources, incidents, orders, refunds, compensations, icpFilings) }',
        },
        '409': {
          ...error,
          description:
            'replay_unavailable: no stored assessment (assessed before slices were stored, or no such version), or the email was purged',
        },
        ...errors(400, 401, 404),
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
        ...errors(400, 401, 403, 404),
      },
    },
  },
};
