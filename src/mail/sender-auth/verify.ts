/**
 * 'verify' mode: DKIM (RFC 6376), SPF (RFC 7208) and DMARC (RFC 7489) checked here with
 * mailauth, against the SMTP client our receiving server recorded in its Received field.
 * mailauth's own `trustReceived` is not used: it would read a field the sender may have
 * written. Without our server's Received field, SPF cannot be checked and only an aligned
 * DKIM signature can authenticate.
 */
import { type AuthenticateResult, authenticate, type DNSResolver } from 'mailauth';
import type { ParsedEmail } from '../../domain/email.ts';
import type { RawHeader } from '../header-fields.ts';
import { domainOf, relaxedAligned } from './domain.ts';
import { type SmtpClient, trustedClient } from './received.ts';

export interface VerifySettings {
  resolver: DNSResolver | undefined;
  trustedReceivedBy: string | undefined;
  timeoutMs: number;
}

export interface VerifyVerdict {
  authenticated: boolean;
  basis: 'dmarc' | 'dkim' | 'spf' | 'none' | 'error';
  detail: string;
}

class VerifyTimeout extends Error {}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new VerifyTimeout(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** MAIL FROM: Exim's envelope-from, else the Return-Path our delivery agent wrote (RFC 5321 §4.4). */
function envelopeSender(client: SmtpClient | null, email: ParsedEmail): string | undefined {
  if (client?.envelopeFrom) return client.envelopeFrom;
  const returnPath = email.headers.returnPath;
  if (!returnPath || returnPath === '<>') return undefined; // null path: SPF checks HELO (RFC 7208 §2.4)
  return /<([^<>]*)>/.exec(returnPath)?.[1] ?? returnPath;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}

/** The verdict from mailauth's results (see the rules on senderAuthenticated). */
function judge(result: AuthenticateResult, fromDomain: string, spfChecked: boolean): VerifyVerdict {
  const froms = result.dkim.headerFrom ?? [];
  if (froms.length !== 1)
    return { authenticated: false, basis: 'none', detail: `${froms.length} From addresses` };
  if (domainOf(froms[0]) !== fromDomain)
    return { authenticated: false, basis: 'none', detail: 'From read differently by mailauth' };
  const dmarc = result.dmarc;
  if (!dmarc) return { authenticated: false, basis: 'none', detail: 'DMARC not evaluated' };

  const dkimPass = result.dkim.results.find((r) => r.status.result === 'pass' && r.status.aligned);
  const spf = result.spf;
  const spfPass =
    spfChecked && spf && spf.status.result === 'pass' && relaxedAligned(spf.domain, fromDomain);
  const status = dmarc.status.result;
  const policy = dmarc.p ? ` p=${dmarc.p}` : '';

  if (status === 'pass') {
    // without our client IP, a DMARC pass must rest on DKIM, never on SPF
    if (spfChecked || dmarc.alignment.dkim.result)
      return { authenticated: true, basis: 'dmarc', detail: `dmarc=pass${policy} ${fromDomain}` };
    return { authenticated: false, basis: 'dmarc', detail: 'dmarc=pass rests on unchecked SPF' };
  }
  if (status === 'none') {
    if (dkimPass)
      return {
        authenticated: true,
        basis: 'dkim',
        detail: `dkim=pass d=${dkimPass.signingDomain}, no DMARC policy`,
      };
    if (spfPass)
      return {
        authenticated: true,
        basis: 'spf',
        detail: `spf=pass ${spf.domain}, no DMARC policy`,
      };
    return { authenticated: false, basis: 'none', detail: `no DMARC policy and no aligned pass` };
  }
  const why = dmarc.error ? ` (${dmarc.error})` : '';
  return { authenticated: false, basis: 'dmarc', detail: `dmarc=${status}${policy}${why}` };
}

/** Runs mailauth and judges its results. Never throws: an error or timeout is "not authenticated". */
export async function verifyVerdict(
  raw: Buffer,
  email: ParsedEmail,
  headers: readonly RawHeader[],
  fromDomain: string,
  settings: VerifySettings,
): Promise<VerifyVerdict> {
  const host = settings.trustedReceivedBy;
  const client = host ? trustedClient(headers, host) : null;
  const spfChecked = client?.ip !== undefined;
  const sender = spfChecked ? envelopeSender(client, email) : undefined;
  try {
    const result = await withTimeout(
      authenticate(raw, {
        ...(settings.resolver ? { resolver: settings.resolver } : {}),
        ...(host ? { mta: host } : {}),
        // no client IP: nothing is passed, and judge() keeps SPF out of the verdict
        ...(client?.ip !== undefined ? { ip: client.ip } : {}),
        ...(client?.helo !== undefined && spfChecked ? { helo: client.helo } : {}),
        ...(sender !== undefined ? { sender } : {}),
        disableArc: true, // ARC (RFC 8617) is not part of the verdict
        disableBimi: true,
      }),
      settings.timeoutMs,
    );
    const verdict = judge(result, fromDomain, spfChecked);
    if (!spfChecked)
      verdict.detail += `; SPF not checked: no client IP from ${host ?? 'our server'}`;
    return verdict;
  } catch (err) {
    return {
      authenticated: false,
      basis: 'error',
      detail: `verification failed: ${errorText(err)}`,
    };
  }
}
