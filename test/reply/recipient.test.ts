/**
 * The mailbox a reply counts against (DESIGN "Automatic replies (v1.1)"): the per-sender
 * limit counts a mailbox, not a spelling, so case and `+tag` sub-addresses are folded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldMailbox } from '../../src/reply/recipient.ts';

describe('foldMailbox', () => {
  it('folds case and the +tag: Victim+1@X.test is victim@x.test', () => {
    expect(foldMailbox('Victim+1@X.test')).toEqual({ mailbox: 'victim@x.test', domain: 'x.test' });
    expect(foldMailbox('victim@x.test')).toEqual({ mailbox: 'victim@x.test', domain: 'x.test' });
  });

  it('drops everything from the first + of the local part', () => {
    expect(foldMailbox('victim+a+b@x.test').mailbox).toBe('victim@x.test');
    expect(foldMailbox('victim+@x.test').mailbox).toBe('victim@x.test');
  });

  it('keeps a local part that is nothing but a tag, which names no other mailbox', () => {
    expect(foldMailbox('+tag@x.test').mailbox).toBe('+tag@x.test');
  });

  it('leaves a quoted local part alone but for its case', () => {
    expect(foldMailbox('"A+B@c"@X.test')).toEqual({ mailbox: '"a+b@c"@x.test', domain: 'x.test' });
  });

  it('treats a domain with a trailing dot as the same domain', () => {
    expect(foldMailbox('victim@X.Test.')).toEqual({ mailbox: 'victim@x.test', domain: 'x.test' });
  });

  it('lower-cases non-ASCII letters too', () => {
    expect(foldMailbox('Jürgen+Claims@Bücher.TEST')).toEqual({
      mailbox: 'jürgen@bücher.test',
      domain: 'bücher.test',
    });
  });

  it('never throws, and an address without @ is its own mailbox with no domain', () => {
    expect(foldMailbox('Not An Address')).toEqual({ mailbox: 'not an address', domain: '' });
    fc.assert(
      fc.property(fc.string(), (s) => {
        const { mailbox, domain } = foldMailbox(s);
        expect(mailbox).toBe(mailbox.toLowerCase());
        expect(foldMailbox(mailbox).mailbox).toBe(mailbox);
        expect(domain.includes('@')).toBe(false);
      }),
    );
  });

  it('gives every sub-address of one mailbox the same key', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9._-]{1,20}$/),
        fc.stringMatching(/^[A-Za-z0-9+]{0,10}$/),
        (user, tag) => {
          expect(foldMailbox(`${user.toUpperCase()}+${tag}@Example.TEST`).mailbox).toBe(
            foldMailbox(`${user}@example.test`).mailbox,
          );
        },
      ),
    );
  });
});
