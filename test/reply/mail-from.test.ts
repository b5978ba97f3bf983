import { describe, expect, it } from 'vitest';
import { InvalidMailFromError, parseMailFrom } from '../../src/reply/outbound/mail-from.ts';

describe('MAIL_FROM as a mailbox', () => {
  it.each([
    ['claims@example.com', 'claims@example.com', undefined],
    ['Claims Desk <claims@example.com>', 'claims@example.com', 'Claims Desk'],
    ['"Claims, Desk" <claims@example.com>', 'claims@example.com', 'Claims, Desk'],
    ['"support@acme" <claims@example.com>', 'claims@example.com', 'support@acme'],
    ['理赔部 <claims@example.com>', 'claims@example.com', '理赔部'],
    ['<claims@example.com>', 'claims@example.com', undefined],
    ['claims@example.com (Claims Desk)', 'claims@example.com', 'Claims Desk'],
  ])('reads %j as the address %s with the name %s', (value, address, name) => {
    expect(parseMailFrom(value)).toEqual({ address, name });
  });

  it.each([
    ['garbage', 'holds no address'],
    ['Claims Desk <>', 'holds no address'],
    ['a@example.com, b@example.com', 'holds 2 addresses'],
    ['a@example.com; b@example.com', 'holds 2 addresses'],
    ['Claims <a@example.com> b@example.com', 'holds more than one address'],
    ['Team: a@example.com;', 'is a group'],
    ['Claims Desk <claims@example.com', 'unbalanced angle brackets'],
    ['Claims <claims@exa mple.com>', 'more than an address in <>'],
    ['Claims Desk claims@example.com', 'text beside the address'],
    ['a@b@example.com', 'more than one address'],
  ])('refuses %j: %s', (value, problem) => {
    let error: unknown;
    try {
      parseMailFrom(value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidMailFromError);
    const message = (error as Error).message;
    expect(message).toContain(problem);
    expect(message).toContain(JSON.stringify(value));
    expect(message.split('\n')).toHaveLength(1);
  });
});
