/**
 * The login page. Its form is a plain HTML form that works without JavaScript (POST /login,
 * pages/sign-in-form.ts); console.js, when it runs, sends the same fields to the JSON API
 * instead and goes to the same page afterwards.
 */
import { esc, layout } from './layout.ts';

/** The hidden field that must match the sign-in form cookie (see sign-in-form.ts). */
export const FORM_TOKEN_FIELD = 'form_token';

export interface LoginView {
  /** The token for this browser's sign-in form cookie. */
  formToken: string;
  /** The console page to go to once signed in, already checked to be one of ours. */
  next: string;
  /** The email as typed, shown back after a failure (never the password). */
  email?: string;
  /** Why the last attempt failed, shown above the form. */
  error?: string;
}

export function loginPage(v: LoginView): string {
  const error = v.error
    ? `<p id="sign-in-error" class="alert" role="alert">${esc(v.error)}</p>\n`
    : '';
  const next = v.next === '/' ? '' : `\n<input type="hidden" name="next" value="${esc(v.next)}">`;
  return layout(
    'Sign in',
    'login',
    `<section class="card narrow">
<h1>Sign in</h1>
${error}<form id="sign-in" method="post" action="/login">
<input type="hidden" name="${FORM_TOKEN_FIELD}" value="${esc(v.formToken)}">${next}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${esc(v.email ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" class="primary">Sign in</button>
<p id="status" role="status" aria-live="polite"></p>
</form>
</section>`,
    false,
  );
}
