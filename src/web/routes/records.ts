/**
 * Live feeds: `PUT /api/records/{kind}` upserts a batch of platform records pushed by a
 * billing or incident system, as `import` does for a file. The body (a JSON array, or JSON
 * Lines) is never buffered: a content-type parser of its own hands the raw request stream
 * to the same streaming reader, validator and COPY-then-merge writer, so memory is bounded
 * whatever the body's size. All or nothing; serialised with `import` by its advisory lock.
 * There is no cache to refresh: assessments read records from PostgreSQL per claim.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { actorOf } from '../../auth/principal.ts';
import { InvalidInputError } from '../../domain/errors.ts';
import { RECORD_KINDS, recordKindNamed, recordName } from '../../domain/records.ts';
import { type RecordFormat, readRecords } from '../../files/record-stream.ts';
import { writeAudit } from '../../store/audit-log.ts';
import { writeRecordStreams } from '../../store/records-import.ts';
import { ApiError } from '../errors.ts';
import { guard } from '../guard.ts';

export interface RecordRoutesOptions {
  pool: pg.Pool;
  /**
   * The largest body accepted, in bytes; a larger one is refused with 413 (up front when
   * Content-Length says so, else as soon as it is exceeded, and nothing is written).
   * @defaultValue 1 GiB
   */
  bodyLimit?: number;
}

export const RECORDS_BODY_LIMIT = 1024 ** 3;

/** Media types (without parameters) and the form each carries. */
export const RECORD_MEDIA_TYPES: Record<string, RecordFormat> = {
  'application/json': 'json',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
};

export const RECORD_KIND_NAMES = RECORD_KINDS.map(recordName);

function formatOf(contentType: string | undefined): RecordFormat | undefined {
  const essence = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return Object.hasOwn(RECORD_MEDIA_TYPES, essence) ? RECORD_MEDIA_TYPES[essence] : undefined;
}

/** Passes the body on, and fails it with 413 once it grows past `limit` bytes. */
class BodyLimit extends Transform {
  private seen = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) done(tooLarge(this.limit));
    else done(null, chunk);
  }
}

const tooLarge = (limit: number) =>
  new ApiError('payload_too_large', `the records body is larger than ${limit} bytes`);

/**
 * Runs one feed at a time in this process, so waiting feeds do not each hold a pooled
 * connection while the advisory lock serialises them anyway.
 */
function serialiser(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (work) => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}

export function recordRoutes(app: FastifyInstance, options: RecordRoutesOptions): void {
  const { pool } = options;
  const limit = options.bodyLimit ?? RECORDS_BODY_LIMIT;
  const serial = serialiser();
  // Admins, and tokens given the records scope whatever their role. Checked on request,
  // before anything of the body is read.
  const allowed = guard(pool, ['admin'], 'records');

  // A scope of its own: these parsers hand over the raw stream and must not reach the
  // other routes, whose JSON bodies are small and parsed whole.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    scope.put('/api/records/:kind', { onRequest: allowed, bodyLimit: limit }, async (request) => {
      const name = (request.params as { kind: string }).kind;
      const kind = recordKindNamed(name);
      if (!kind)
        throw new ApiError('not_found', `no such kind of record: ${RECORD_KIND_NAMES.join(', ')}`);
      const format = formatOf(request.headers['content-type']);
      if (!format) {
        const types = Object.keys(RECORD_MEDIA_TYPES).join(', ');
        throw new ApiError('unsupported_media_type', `send one of ${types}`);
      }
      if (Number(request.headers['content-length']) > limit) throw tooLarge(limit);
      const body = request.body as NodeJS.ReadableStream | undefined;
      const input = new BodyLimit(limit);
      if (body) body.pipe(input);
      else input.end();
      body?.on('error', (error: Error) => input.destroy(error));
      // The reader sees a failed body through its iteration (also one that starts after the
      // failure, waiting for its turn); this listener only keeps the event from being unhandled.
      input.on('error', () => undefined);
      const file = `PUT /api/records/${name}`;
      const principal = request.principal!;
      let counts: Awaited<ReturnType<typeof writeRecordStreams>>;
      try {
        counts = await serial(() =>
          writeRecordStreams(
            pool,
            [{ kind, name, file, batches: readRecords(kind, input, format, file) }],
            {
              beforeCommit: async (client, [c]) =>
                writeAudit(client, {
                  actor: actorOf(principal),
                  action: 'records.upsert',
                  details: {
                    kind: name,
                    records: c!.records,
                    inserted: c!.inserted,
                    updated: c!.updated,
                    unchanged: c!.unchanged,
                  },
                }),
            },
          ),
        );
      } catch (error) {
        if (error instanceof InvalidInputError)
          throw new ApiError('invalid_records', error.message);
        throw error;
      }
      const { records, inserted, updated, unchanged } = counts[0]!;
      request.log.info({ kind: name, records, inserted, updated, unchanged }, 'records upserted');
      return { kind: name, records, inserted, updated, unchanged };
    });
  });
}
