import { describe, expect, it } from 'vitest';
import { findAccount } from '../../../src/domain/extract/account.ts';
import { contextOf } from '../../support/builders.ts';

const { index } = contextOf();

describe('an account label never eats the start of the id', () => {
  it.each([
    ['account nova-77', 'nova-77'],
    ['account idc-01', 'idc-01'],
    ['Account No. acme-9', 'acme-9'],
    ['Account ID: acme-9', 'acme-9'],
    ['account number: 12345678', '12345678'],
    ['账号名：shop-1', 'shop-1'],
  ])('%s gives %s', (text, id) => {
    expect(findAccount(text, index)).toEqual({ id, known: false });
  });
});

describe('dates, times and counts after the word account are not account ids', () => {
  it.each([
    'my account 2026-03-02 10:00 was down',
    'the account 2 times failed',
    'account 10:15 outage',
    'account 2026年3月2日 故障',
  ])('%s', (text) => {
    expect(findAccount(text, index)).toBeNull();
  });

  it('a known id after a date is still found', () => {
    expect(findAccount('my account 2026-03-02 down, account: demo-shop', index)).toEqual({
      id: 'demo-shop',
      known: true,
    });
  });
});

describe('an id followed by punctuation is still an id', () => {
  it('Account demo-x: down', () => {
    expect(findAccount('Account demo-x: down', index)).toEqual({ id: 'demo-x', known: false });
  });
});
