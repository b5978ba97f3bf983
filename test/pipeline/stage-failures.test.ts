import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import {
  countsTowardPoison,
  describeFailure,
  failureKind,
  QueueUnavailableError,
} from '../../src/pipeline/stage-failures.ts';
import {
  InvalidReplyError,
  OutboxWriteError,
  SmtpPermanentError,
  SmtpTemporaryError,
} from '../../src/reply/outbound/errors.ts';
import { DatabaseUnavailableError } from '../../src/store/database.ts';

const smtp = { responseCode: 451, response: '451 try later', command: 'DATA', smtpCode: null };
/** A driver error as node-postgres throws it: a message and a SQLSTATE. */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('which failures count toward handing a claim to an agent', () => {
  it('never counts an outage: it hits every claim alike', () => {
    for (const error of [
      new DatabaseUnavailableError('ECONNREFUSED'),
      pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
      new SmtpTemporaryError('down', { ...smtp, scope: 'transport' }),
      new OutboxWriteError('/var/outbox', new Error('ENOSPC')),
      new QueueUnavailableError(new Error("Stream isn't writeable")),
    ]) {
      expect(failureKind(error)).toBe('outage');
      expect(countsTowardPoison(failureKind(error), true)).toBe(false);
    }
  });

  it('counts a temporary failure of this claim only when its job is out of attempts', () => {
    for (const error of [
      new SmtpTemporaryError('greylisted', { ...smtp, scope: 'message' }),
      pgError('40P01', 'deadlock detected'),
      pgError('57014', 'canceling statement due to statement timeout'),
    ]) {
      expect(failureKind(error)).toBe('temporary');
      expect(countsTowardPoison('temporary', false)).toBe(false);
      expect(countsTowardPoison('temporary', true)).toBe(true);
    }
  });

  it('counts every attempt of an unexpected error: it fails the same way each time', () => {
    const violation = pgError('23514', 'new row violates check constraint "amount_check"');
    expect(failureKind(violation)).toBe('fault');
    expect(failureKind(new RangeError('total does not match the shares'))).toBe('fault');
    expect(countsTowardPoison('fault', false)).toBe(true);
  });

  it('hands over a permanent error on its first failure', () => {
    expect(failureKind(new InvalidReplyError('to', 'not a plain email address'))).toBe('permanent');
    expect(failureKind(new SmtpPermanentError('550', { ...smtp, responseCode: 550 }))).toBe(
      'permanent',
    );
  });
});

describe('the error an agent reads in the audit trail', () => {
  it('names the code or SQLSTATE and masks URL passwords', () => {
    expect(describeFailure(pgError('23514', 'violates check constraint "x"'))).toBe(
      'Error: violates check constraint "x" (23514)',
    );
    expect(describeFailure(new InvalidReplyError('to', 'bad'))).toBe('invalid_reply: to: bad');
    expect(describeFailure(new Error('smtp://desk:s3cret@mail.example refused'))).not.toContain(
      's3cret',
    );
    expect(describeFailure(new Error('x'.repeat(5000)))).toHaveLength(2000);
  });
});

describe('STAGE_MAX_FAILURES', () => {
  it('defaults to 5 and takes a whole number from 1 to 1000', () => {
    expect(loadConfig({}).stageMaxFailures).toBe(5);
    expect(loadConfig({ STAGE_MAX_FAILURES: '2' }).stageMaxFailures).toBe(2);
    for (const bad of ['0', '1001', '-1', 'five', '2.5'])
      expect(() => loadConfig({ STAGE_MAX_FAILURES: bad })).toThrow(ConfigError);
    expect(() => loadConfig({ STAGE_MAX_FAILURES: '0' })).toThrow(/^STAGE_MAX_FAILURES: /);
  });
});
