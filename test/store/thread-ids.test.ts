/**
 * The threading ids kept with a message's facts give a reply the References it would get
 * from all of the message's ids: a property over threads of any length, with repeated,
 * malformed and missing ids and the message's own id anywhere among its References.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replyReferences } from '../../src/reply/outbound/headers.ts';
import { KEPT_REFERENCES, threadIdsOf } from '../../src/store/thread-ids.ts';

/** A small pool of ids, so that repeats and the message's own id among them are common. */
const id = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 300 }).map((n) => `id${n}@thread.example`) },
  { weight: 1, arbitrary: fc.constantFrom('bad@@x', 'no-at-sign', `${'l'.repeat(260)}@x.example`) },
);
const maybeId = fc.option(id, { nil: null });

describe('threading ids kept with the facts', () => {
  it('give the reply the References all the ids give it', () => {
    fc.assert(
      fc.property(
        // Often its own id is one of its References: a client that put it there, or a forgery.
        fc
          .array(id, { maxLength: 400, size: 'max' })
          .chain((references) =>
            fc.tuple(
              fc.constant(references),
              references.length > 0 ? fc.oneof(maybeId, fc.constantFrom(...references)) : maybeId,
              maybeId,
            ),
          ),
        ([references, messageId, inReplyTo]) => {
          const kept = threadIdsOf({ references, messageId, inReplyTo });
          expect(kept.references.length).toBeLessThanOrEqual(KEPT_REFERENCES + 1);
          expect(replyReferences(kept.references, kept.messageId, kept.inReplyTo)).toEqual(
            replyReferences(references, messageId, inReplyTo),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('keep the root, the latest ids and the message’s own id from the middle of a long thread', () => {
    const references = Array.from({ length: 150 }, (_, i) => `r${i}@x.example`);
    const kept = threadIdsOf({ references, messageId: 'r40@x.example', inReplyTo: null });
    expect(kept.references).toEqual([
      'r0@x.example',
      'r40@x.example',
      ...references.slice(-(KEPT_REFERENCES - 1)),
    ]);
  });
});
