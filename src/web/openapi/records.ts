/** The OpenAPI description of the live feeds (src/web/routes/records.ts); data only. */

import { RECORD_KIND_NAMES, RECORD_MEDIA_TYPES } from '../routes/records.ts';
import { csrf, errors } from './parts.ts';

const records = {
  description:
    'The records, each as in the records directory of the same kind (CONTRACT.md): a JSON ' +
    'array, or JSON Lines (one record a line, blank lines allowed). Streamed, up to 1 GiB.',
  schema: { type: 'array', items: { type: 'object' } },
};

export const RECORDS_PATHS = {
  '/api/records/{kind}': {
    put: {
      summary:
        'Upsert a batch of platform records (admins, and API tokens with the records scope): ' +
        'validated like `import`, written all or nothing, serialised with `import`; the next ' +
        'assessment reads them. Audited as records.upsert',
      security: [{ session: [] }, { bearer: ['records'] }],
      parameters: [
        csrf,
        {
          name: 'kind',
          in: 'path',
          required: true,
          schema: { type: 'string', enum: RECORD_KIND_NAMES },
        },
      ],
      requestBody: {
        required: true,
        content: Object.fromEntries(Object.keys(RECORD_MEDIA_TYPES).map((type) => [type, records])),
      },
      responses: {
        '200': {
          description: 'Written: how many records came, and what each did',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  kind: { type: 'string' },
                  records: { type: 'integer' },
                  inserted: { type: 'integer' },
                  updated: { type: 'integer' },
                  unchanged: { type: 'integer' },
                },
                required: ['kind', 'records', 'inserted', 'updated', 'unchanged'],
              },
            },
          },
        },
        '400': {
          description:
            'invalid_records: nothing written; the message names the line, the record and the ' +
            'field, e.g. "PUT /api/records/orders: line 7: [6].amount: must be a non-negative decimal string"',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
        ...errors(401, 403, 404, 413, 415),
      },
    },
  },
};
