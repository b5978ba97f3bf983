import { describe, expect, it } from 'vitest';
import { formatClaimRef, parseClaimRef } from '../../src/domain/claim-ref.ts';

describe('the claim reference', () => {
  it.each([
    [1, 'CLM-000001'],
    [123, 'CLM-000123'],
    [999_999, 'CLM-999999'],
    [1_234_567, 'CLM-1234567'],
  ])('formats claim %i as %s (six digits at least, a longer id whole)', (id, ref) => {
    expect(formatClaimRef(id)).toBe(ref);
  });

  it.each([
    ['Re: Outage on acme-prod [CLM-000123]', 123],
    ['回复：关于服务中断的赔偿申请 [clm-000042]', 42],
    ['[Clm-1234567] Occurrences: 2', 1_234_567],
    ['Re: [CLM-123456789012]', 123_456_789_012],
    ['Re: [CLM-000007] and [CLM-000008]', 7],
  ])('reads the claim a subject names in brackets: %s → %i', (subject, id) => {
    expect(parseClaimRef(subject)).toBe(id);
  });

  it.each([
    ['Re: Outage on acme-prod', 'no reference'],
    ['Re: CLM-000123', 'no brackets'],
    ['Re: [CLM-00123]', 'fewer than six digits'],
    ['Re: [CLM-1234567890123]', 'more than twelve digits'],
    ['Re: [CLM-000123 ]', 'anything else inside the brackets'],
    ['Re: [CLN-000123]', 'another prefix'],
    ['', 'an empty subject'],
  ])('reads no claim from %j (%s)', (subject) => {
    expect(parseClaimRef(subject)).toBeNull();
  });

  it.each([1, 123, 999_999, 1_234_567, 987_654_321_098])(
    'reads back the claim %i from a reply subject it formatted',
    (id) => {
      expect(parseClaimRef(`Re: Outage [${formatClaimRef(id)}]`)).toBe(id);
    },
  );
});
