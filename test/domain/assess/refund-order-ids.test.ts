/**
 * Refund: reading the order ids of a request, whatever separates them, whatever label
 * precedes them, in full-width characters or another case, from the subject or the body.
 */
import { describe, it } from 'vitest';
import { type AssessCase, expectDecided, order } from '../../support/assess-cases.ts';
import { named } from '../../support/named-rows.ts';
import { records, refundOf } from './refund-support.ts';

describe('refund: reading the order ids', () => {
  /** ORD-1, ORD-2 and ORD-3 at 1.00, 2.00 and 4.00: every sum names its orders. */
  const priced = () =>
    records([
      order('ORD-1', { amount: '1.00' }),
      order('ORD-2', { amount: '2.00' }),
      order('ORD-3', { amount: '4.00' }),
    ]);

  const separators: AssessCase[] = [
    ['commas', 'orders ORD-1, ORD-2,ORD-3'],
    ['full-width commas', 'orders ORD-1，ORD-2，ORD-3'],
    ['spaces', 'orders ORD-1 ORD-2  ORD-3'],
    ['enumeration commas', 'orders ORD-1、ORD-2、ORD-3'],
    ['semicolons', 'orders ORD-1; ORD-2;ORD-3'],
    ['full-width semicolons', 'orders ORD-1；ORD-2；ORD-3'],
  ].map(([separator, text]) => ({
    name: `reads ids separated by ${separator}`,
    claim: { subject: `Refund, account demo-shop, ${text}` },
    expected: { orders: ['ORD-1', 'ORD-2', 'ORD-3'], amount: '7.00', decision: 'approved' },
  }));

  const labels: AssessCase[] = [
    'order ORD-2',
    'order: ORD-2',
    'order：ORD-2',
    'order   ORD-2',
    'orderORD-2',
    'Order ID: ORD-2',
    'order id ORD-2',
    'orders : ORD-2',
    '订单 ORD-2',
    '订单：ORD-2',
    '订单ORD-2',
    '订单号：ORD-2',
    '订单号 ORD-2',
  ].map((text) => ({
    name: `reads the id after the label in “${text}”`,
    claim: { subject: `退款申请 账号：demo-shop ${text}` },
    expected: { type: 'refund', orders: ['ORD-2'], amount: '2.00' },
  }));

  const readings: AssessCase[] = [
    {
      name: 'reads order ids typed in full-width characters',
      claim: { subject: '退款申请 账号：demo-shop 订单号：ＯＲＤ－１，ＯＲＤ－３' },
      expected: { orders: ['ORD-1', 'ORD-3'], amount: '5.00', decision: 'approved' },
    },
    {
      name: 'reads unknown ids after a label, so they can be reported',
      claim: { subject: 'Refund, account demo-shop, order: X-77, ORD-1' },
      expected: {
        decision: 'review',
        reasons: ['order_unknown'],
        orders: ['ORD-1'],
        details: { perItem: { 'X-77': ['order_unknown'] } },
      },
    },
    {
      name: 'reads known order ids without a label, in the order written',
      claim: { subject: 'Refund for demo-shop: ORD-3 and ORD-1 please' },
      expected: { orders: ['ORD-3', 'ORD-1'], amount: '5.00', decision: 'approved' },
    },
    {
      name: 'returns the records’ spelling of an order id written in another case',
      claim: { subject: 'Refund, account demo-shop, order ord-2' },
      expected: { orders: ['ORD-2'] },
    },
    {
      name: 'stops the list at the first word after the ids',
      claim: { subject: 'Refund, account demo-shop, order ORD-1 was bought by mistake' },
      expected: { orders: ['ORD-1'], decision: 'approved' },
    },
    {
      name: 'counts an id written twice once',
      claim: { subject: 'Refund, account demo-shop, orders ORD-1, ORD-1' },
      expected: { orders: ['ORD-1'], amount: '1.00' },
    },
    {
      name: 'reads the orders from the body when the subject has none',
      claim: { subject: 'Refund request', text: 'Account: demo-shop\nOrders: ORD-2、ORD-3\n' },
      expected: {
        ...refundOf('approved', '6.00', ['ORD-2', 'ORD-3']),
        details: { sources: { account: 'body', orders: 'body' } },
      },
    },
  ];

  it.each(named([...separators, ...labels, ...readings]))('%s', (_name, row) => {
    expectDecided(priced(), row);
  });
});
