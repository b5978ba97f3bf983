/**
 * Whether the From domain of a message is authenticated, for AssessInput.senderAuthenticated:
 * `false` makes the engine add the review reason `sender_unauthenticated`, so a forged
 * sender can never trigger a payout. Two sources of truth:
 *  - 'header': the Authentication-Results fields (RFC 8601) our own receiving server wrote,
 *    recognised by its authserv-id (results.ts);
 *  - 'verify': DKIM, SPF and DMARC checked here with mailauth against the client our
 *    receiving server recorded in its Received field (verify.ts).
 * Every doubt (no result, a temporary DNS error, a timeout, a bad message) is "not
 * authenticated": a review costs an agent a minute, a forged approval costs money.
 * A follow-up is checked on its own message, never its claim's original: the engine sees
 * the follow-up's sender (domain/follow-up.ts), and a follow-up that fails is not merged.
 */
import type { DNSResolver } from 'mailauth';
import type { ParsedEmail } from '../../domain/email.ts';
import { mailboxes } from '../header-fields.ts';
import { domainOf } from './domain.ts';
import { rawHeaderFields } from './received.ts';
import { headerVerdict } from './results.ts';
import { verifyVerdict } from './verify.ts';

export type SenderAuthMode = 'off' | 'header' | 'verify';

export interface SenderAuthOptions {
  /**
   * 'off': unknown, the engine adds nothing (e.g. `check`, or a mailbox no MTA of ours
   * feeds); 'header': trust our server's Authentication-Results; 'verify': check here.
   */
  mode: SenderAuthMode;
  /**
   * The authserv-id our receiving server writes in Authentication-Results (RFC 8601
   * §2.5), e.g. `mx.claims.example`. Required for 'header'. That server must delete
   * incoming fields carrying this id (RFC 8601 §5), as Postfix milters, Rspamd and Exim do.
   */
  authservId?: string;
  /**
   * DNS resolver for 'verify', with mailauth's signature: `(name, rrtype) => records`,
   * failing with `code` ENOTFOUND / ENODATA when there are none.
   * @defaultValue node:dns `resolve` (the system's resolvers)
   */
  resolver?: ((name: string, rrtype: string) => Promise<unknown>) | undefined;
  /**
   * Host name our receiving server writes as `by` in its Received field (RFC 5321 §4.4);
   * its `from` clause gives the client IP and HELO name that SPF is checked against.
   * Without it (or without that field) only an aligned DKIM signature authenticates.
   */
  trustedReceivedBy?: string;
  /**
   * 'verify' gives up after this long (every DNS answer included) and says "not authenticated".
   * @defaultValue 15000
   */
  timeoutMs?: number;
}

export interface SenderAuthResult {
  /** true / false as the rules decide; undefined in mode 'off'. */
  authenticated: boolean | undefined;
  /** `off`, or `<mode>:<basis>`, basis one of dmarc, dkim, spf, none, error, config. */
  method: string;
  /** One line for the audit trail and the review console, e.g. `dmarc=fail p=reject`. */
  detail: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * What is wrong with `options`, naming the field, or null when they are usable. For the
 * configuration to call at start-up; senderAuthenticated itself never throws.
 */
export function senderAuthProblem(options: SenderAuthOptions): string | null {
  if (!['off', 'header', 'verify'].includes(options.mode))
    return `mode: expected off, header or verify, got ${String(options.mode)}`;
  if (options.mode === 'header' && !options.authservId?.trim())
    return 'authservId: required when mode is header';
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0))
    return 'timeoutMs: expected a positive number of milliseconds';
  return null;
}

/**
 * Decides whether the From domain of `raw` (parsed as `email`) is authenticated.
 *
 * 'header': DMARC pass for the From domain → true; any other DMARC result but `none` →
 * false; no DMARC policy → an aligned DKIM or SPF pass → true; else false.
 * 'verify': DMARC pass → true; `none` → an aligned DKIM pass, or an aligned SPF pass from
 * our recorded client → true; fail, temperror, permerror, a throw or a timeout → false.
 * A message with more or fewer than one From field, or several From addresses, is never
 * authenticated (RFC 7489 §6.6.1). Never throws.
 */
export async function senderAuthenticated(
  raw: Buffer,
  email: ParsedEmail,
  options: SenderAuthOptions,
): Promise<SenderAuthResult> {
  if (options.mode === 'off') return { authenticated: undefined, method: 'off', detail: 'off' };
  const mode = options.mode;
  const no = (basis: string, detail: string): SenderAuthResult => ({
    authenticated: false,
    method: `${mode}:${basis}`,
    detail,
  });
  try {
    const problem = senderAuthProblem(options);
    if (problem) return no('config', problem);

    const headers = rawHeaderFields(raw);
    const fromFields = headers.filter((h) => h.key === 'from');
    if (fromFields.length !== 1) return no('none', `${fromFields.length} From fields`);
    const fromAddresses = mailboxes(fromFields.map((h) => h.value)).filter((m) => m.address);
    if (fromAddresses.length > 1) return no('none', `${fromAddresses.length} From addresses`);
    const fromDomain = domainOf(email.from);
    if (fromDomain === '') return no('none', 'no From address');

    const verdict =
      mode === 'header'
        ? headerVerdict(email.headers.authenticationResults, options.authservId ?? '', fromDomain)
        : await verifyVerdict(raw, email, headers, fromDomain, {
            resolver: options.resolver as DNSResolver | undefined,
            trustedReceivedBy: options.trustedReceivedBy,
            timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          });
    return {
      authenticated: verdict.authenticated,
      method: `${mode}:${verdict.basis}`,
      detail: verdict.detail,
    };
  } catch (err) {
    return no(
      'error',
      `sender authentication failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
