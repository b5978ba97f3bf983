/**
 * Issue #12, item 10: subjects written in DESIGN's formats ("Extraction": the account labels,
 * the fault-time formats and zone suffixes, the count phrasings), in English, Simplified and
 * Traditional Chinese, with the fields in any order and the type keyword anywhere, give back
 * through the engine exactly the account, fault times and count they were written with.
 *
 * The account ids hide count words inside them (once-labs, shop-x3, …): a count word counts
 * only as a token of its own (DESIGN v1.1). Times are read in Asia/Shanghai (+08:00, no DST),
 * the zone of accounts without one, unless a zone suffix says otherwise.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assess } from '../../../src/domain/assess/engine.ts';
import { contextOf, emailOf } from '../../support/builders.ts';
import { faultTimes, labelled } from './fault-time-arbitraries.ts';

const ACCOUNTS = [
  'demo-shop',
  'once-labs',
  'shop-x3',
  'twice_co',
  'x2.cloud',
  'ops-count9',
  'shop-3times',
  'HK-Trading',
];

const ctx = (() => {
  const accounts = ACCOUNTS.map((id) => ({
    id,
    emails: [`it@${id.toLowerCase()}.test`],
    vip: false,
    currency: 'CNY',
    accumulated_recharge: '0',
    icp_rewarded: false,
  }));
  return contextOf({ accounts });
})();

const RECEIVED = Date.UTC(2026, 2, 4, 1, 0);
const CHINESE_NUMERALS = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

// ---------------------------------------------------------------------------------------
// The account

const account = fc
  .tuple(
    fc.constantFrom(...ACCOUNTS),
    labelled([
      'Account',
      'account',
      'ACCOUNT',
      'Account ID',
      'account id',
      'Acct',
      '账号',
      '帐号',
      '账户',
      '帐户',
      '帳號',
      '賬號',
      '帳戶',
      '賬戶',
    ]),
    fc.boolean(),
  )
  .map(([id, [label, sep], upper]) => ({
    id,
    // An id written in another case is still the account (matched case-insensitively).
    text: `${label}${sep}${upper ? id.toUpperCase() : id}`,
  }));

// ---------------------------------------------------------------------------------------
// The count

interface Count {
  n: number;
  text: string;
  /** "N times" and "xN" can multiply compensation, so a type keyword may not follow them. */
  multiplier: boolean;
}

const n = fc.integer({ min: 1, max: 10 });

const COUNTS: fc.Arbitrary<Count>[] = [
  fc
    .tuple(
      n,
      labelled([
        'Occurrences',
        'occurrences',
        'Occurrence',
        'Count',
        'count',
        'Times',
        'Number of occurrences',
        'number of faults',
        'Number of fault times',
        '次数',
        '次數',
        '故障次数',
        '故障次數',
      ]),
    )
    .map(([k, [label, sep]]) => ({ n: k, text: `${label}${sep}${k}`, multiplier: false })),
  n.map((k) => ({ n: k, text: `${k} ${k === 1 ? 'time' : 'times'}`, multiplier: true })),
  n.map((k) => ({
    n: k,
    text: `${k} ${k === 1 ? 'occurrence' : 'occurrences'}`,
    multiplier: false,
  })),
  fc
    .tuple(fc.integer({ min: 1, max: 3 }), fc.constantFrom('lower', 'title', 'upper'))
    .map(([k, style]) => {
      const word = ['once', 'twice', 'thrice'][k - 1]!;
      const text =
        style === 'upper'
          ? word.toUpperCase()
          : style === 'title'
            ? word[0]!.toUpperCase() + word.slice(1)
            : word;
      return { n: k, text, multiplier: false };
    }),
  fc
    .tuple(n, fc.constantFrom('x', 'X', '×', 'x ', '× '))
    .map(([k, mark]) => ({ n: k, text: `${mark}${k}`, multiplier: true })),
  fc
    .tuple(n, fc.constantFrom('', '共', '总共', '一共', '總共', '共 '), fc.boolean())
    .map(([k, lead, chinese]) => {
      const numeral = chinese ? CHINESE_NUMERALS[k]! : String(k);
      return { n: k, text: `${lead}${numeral}次`, multiplier: false };
    }),
  fc.constantFrom(
    { n: 2, text: '两次', multiplier: false },
    { n: 2, text: '兩次', multiplier: false },
    { n: 2, text: '共兩次', multiplier: false },
    { n: 3, text: '三次', multiplier: false },
  ),
];

const count = fc.oneof(...COUNTS);

// ---------------------------------------------------------------------------------------
// The subject

const TYPE_KEYWORDS = [
  'Compensation claim',
  'compensation request',
  'Request for compensation',
  'SLA credit request',
  '赔偿申请',
  '补偿申请',
  '赔付申请',
  '賠償申請',
  '補償申請',
  '賠付申請',
];

const SEPARATORS = [' ', ', ', '; ', '，', '；', ' | ', ' - ', ' / '];

const subject = fc
  .tuple(
    account,
    faultTimes,
    count,
    fc.constantFrom(...TYPE_KEYWORDS),
    fc.array(fc.constantFrom(...SEPARATORS), { minLength: 3, maxLength: 3 }),
    // The order of the four parts: the keyword anywhere, the fields in any order.
    fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }),
  )
  .map(([acct, times, cnt, keyword, seps, order]) => {
    const parts = [acct.text, times.text, cnt.text, keyword];
    let text = parts[order[0]!]!;
    for (let i = 1; i < 4; i++) {
      const previous = order[i - 1]!;
      const next = order[i]!;
      // "2 times compensation" and "compensation x2" are the multiplier DESIGN names, never
      // a count, so a keyword next to "N times" or "xN" is set off by punctuation.
      const touching = (previous === 2 && next === 3) || (previous === 3 && next === 2);
      const sep = touching && cnt.multiplier ? ', ' : seps[i - 1]!;
      text += sep + parts[next]!;
    }
    return { text, account: acct.id, times: times.expected, n: cnt.n };
  });

describe('subjects in DESIGN’s formats give back the fields they were written with', () => {
  it('account, fault times and count, in English, Simplified and Traditional Chinese', () => {
    fc.assert(
      fc.property(subject, (s) => {
        const a = assess(
          {
            email: emailOf({ subject: s.text, from: `it@${s.account.toLowerCase()}.test` }),
            receivedAt: RECEIVED,
          },
          ctx,
        );
        expect({
          type: a.type,
          account: a.account,
          faultTimes: a.faultTimes,
          occurrences: a.occurrencesClaimed,
          sources: a.details.sources,
        }).toEqual({
          type: 'compensation',
          account: s.account,
          faultTimes: s.times,
          occurrences: s.n,
          sources: { account: 'subject', faultTimes: 'subject', occurrences: 'subject' },
        });
      }),
      { numRuns: 10_000 },
    );
  });
});
