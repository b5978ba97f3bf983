import { describe, expect, it } from 'vitest';
import {
  classifySmtpError,
  SmtpPermanentError,
  SmtpTemporaryError,
} from '../../src/reply/outbound/transport.ts';

/** An error shaped the way nodemailer hands them over (see its errors.d.ts). */
function nodemailerError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields.message ?? 'failed')), fields);
}

describe('classifySmtpError', () => {
  it.each([
    ['a 5xx at the end of DATA', { code: 'EMESSAGE', responseCode: 554, permanent: true }],
    ['a 5xx to RCPT TO', { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' }],
    ['an envelope nodemailer refused itself', { code: 'EENVELOPE', command: 'API' }],
    ['a message over the SIZE limit', { code: 'EMESSAGE', command: 'MAIL FROM' }],
  ])('%s is permanent', (_what, fields) => {
    const error = classifySmtpError(nodemailerError(fields));
    expect(error).toBeInstanceOf(SmtpPermanentError);
    expect(error.retryable).toBe(false);
  });

  it.each([
    ['a 4xx at the end of DATA', { code: 'EMESSAGE', responseCode: 451 }, 'message'],
    ['421 closing the channel', { code: 'EENVELOPE', responseCode: 421 }, 'message'],
    ['503 bad sequence of commands', { code: 'EENVELOPE', responseCode: 503 }, 'message'],
    ['a refused connection', { code: 'ESOCKET', originalCode: 'ECONNREFUSED' }, 'transport'],
    ['a timeout', { code: 'ETIMEDOUT' }, 'transport'],
    ['a dropped connection', { code: 'ECONNECTION' }, 'transport'],
    ['credentials refused with 535', { code: 'EAUTH', responseCode: 535 }, 'transport'],
    ['an aborted, overlong delivery', { code: 'EABORT' }, 'transport'],
    ['an error nobody recognises', {}, 'transport'],
  ])('%s is temporary', (_what, fields, scope) => {
    const error = classifySmtpError(nodemailerError(fields));
    expect(error).toBeInstanceOf(SmtpTemporaryError);
    expect(error).toMatchObject({ retryable: true, scope });
  });

  it("keeps the server's answer and code", () => {
    const error = classifySmtpError(
      nodemailerError({
        code: 'EMESSAGE',
        response: '550 5.7.1 Rejected by policy',
        responseCode: 550,
        command: 'DATA',
      }),
    );
    expect(error).toMatchObject({
      responseCode: 550,
      response: '550 5.7.1 Rejected by policy',
      command: 'DATA',
      smtpCode: 'EMESSAGE',
    });
  });
});
