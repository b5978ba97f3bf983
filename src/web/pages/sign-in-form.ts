/**
 * The login page and its plain HTML form, so signing in works without JavaScript (issue #14):
 * the form posts application/x-www-form-urlencoded to /login, and gets a 303 to the console
 * page the browser came for, or the login page again with the reason and a fitting status.
 * The password check is the JSON API's own (auth/sign-in.ts): same limits, refusal counting,
 * audit.
 *
 * A form POST is a request any site can make a browser send (a JSON body is not: it needs a
 * CORS preflight this server never grants). Forged form sign-ins would let another site sign
 * a victim into the attacker's account (login CSRF), or spend the victim's own failures from
 * the victim's address to lock them out. So the form carries a token that must equal a
 * SameSite=Strict cookie set with the page: a cross-site POST arrives without the cookie and
 * is refused before any attempt is reserved. Where browsers say (Sec-Fetch-Site), a POST from
 * anywhere but this origin is refused as well, which also covers sibling subdomains.
 */
import { randomBytes } from 'node:crypto';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SignInResult } from '../../auth/sign-in.ts';
import { sameSecret } from '../guard.ts';
import { credentialsOf, refusal, type SignIn } from '../sign-in.ts';
import { FORM_TOKEN_FIELD, type LoginView, loginPage } from './login-page.ts';

export interface SignInFormOptions {
  /** The sign-in procedure the JSON API uses too. */
  signIn: SignIn;
  /** Marks the form cookie Secure (and names it __Host-, which a subdomain cannot set). */
  cookieSecure: boolean;
}

/** The console pages a sign-in may lead to; anything else leads to the queue. */
const CONSOLE_PAGE = /^\/(?:claims\/\d{1,15}|ops)?$/;
const BASE = 'http://console.invalid';
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * A console page path (with its query) from an untrusted `next`, or '/'. Parsed as a URL
 * against a fixed base, so '//evil.example' and '/\evil.example' (other origins) never pass:
 * the login page must not be an open redirect.
 */
export function consolePage(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.length > 2048) return '/';
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return '/';
  }
  if (url.origin !== BASE || !CONSOLE_PAGE.test(url.pathname)) return '/';
  return url.pathname + url.search;
}

/** Where a page sends a browser without a session: the login page, then back to that page. */
export function loginUrl(pageUrl: string): string {
  const next = consolePage(pageUrl);
  return next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
}

function formCookie(cookieSecure: boolean): string {
  return cookieSecure ? '__Host-ci_sign_in' : 'ci_sign_in';
}

/** This browser's form token: the cookie's, or a new one set now (one per browser session). */
function formToken(request: FastifyRequest, reply: FastifyReply, cookieSecure: boolean): string {
  const name = formCookie(cookieSecure);
  const kept = request.cookies[name];
  // Kept across page loads, so two open login tabs both stay valid.
  if (kept !== undefined && TOKEN.test(kept)) return kept;
  const token = randomBytes(32).toString('base64url');
  reply.setCookie(name, token, {
    httpOnly: true,
    secure: cookieSecure,
    sameSite: 'strict',
    // __Host- cookies must be for the whole origin.
    path: '/',
  });
  return token;
}

/** True when the POST comes from this origin's own login page. */
function fromOwnForm(
  request: FastifyRequest,
  body: Record<string, unknown>,
  cookieSecure: boolean,
) {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const cookie = request.cookies[formCookie(cookieSecure)];
  const sent = body[FORM_TOKEN_FIELD];
  return cookie !== undefined && typeof sent === 'string' && sameSecret(sent, cookie);
}

function waitText(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

function failureText(result: Exclude<SignInResult, { ok: true }>): string {
  if (result.code === 'invalid_credentials') return 'Wrong email or password.';
  if (result.message) return `${result.message[0]!.toUpperCase()}${result.message.slice(1)}.`;
  return `Too many failed sign-ins. Try again in ${waitText(result.waitMs)}.`;
}

export function signInFormRoutes(
  app: FastifyInstance,
  { signIn, cookieSecure }: SignInFormOptions,
): void {
  const page = (
    request: FastifyRequest,
    reply: FastifyReply,
    view: Omit<LoginView, 'formToken'>,
  ): FastifyReply =>
    reply
      .type('text/html; charset=utf-8')
      .send(loginPage({ ...view, formToken: formToken(request, reply, cookieSecure) }));

  app.get('/login', async (request, reply) =>
    page(request, reply, { next: consolePage((request.query as { next?: unknown }).next) }),
  );

  // The form parser lives in this scope only, and is the only one here: /login takes the
  // form's encoding, and every other route still answers 415 to anything but JSON, so no API
  // endpoint turns into a target for another site's form.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    await scope.register(formbody);
    scope.post('/login', async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const next = consolePage(body.next);
      const email = typeof body.email === 'string' ? body.email.slice(0, 254) : '';
      if (!fromOwnForm(request, body, cookieSecure)) {
        request.log.warn(
          { ip: request.ip, fetchSite: request.headers['sec-fetch-site'] },
          'sign-in form refused: not from this site’s login page',
        );
        return page(request, reply.code(403), {
          next,
          email,
          error: 'This sign-in form expired or was not sent from this site. Please sign in again.',
        });
      }
      const credentials = credentialsOf(body);
      if (!credentials)
        return page(request, reply.code(400), {
          next,
          email,
          error: 'Enter your email and password.',
        });
      const result = await signIn(request, reply, credentials);
      if (!result.ok) {
        // The API's status for the same refusal, and its Retry-After.
        const { status } = refusal(reply, result);
        return page(request, reply.code(status), { next, email, error: failureText(result) });
      }
      return reply.redirect(next, 303);
    });
  });
}
