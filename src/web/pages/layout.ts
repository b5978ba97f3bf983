/**
 * The console's HTML shell. Pages are server-rendered strings; scripts are files under
 * /static, console.js on every page (the CSP allows scripts from 'self' only, so nothing
 * inline would run).
 */
import type { UserRole } from '../../auth/users.ts';
import { escapeHtml as esc } from '../sanitize.ts';

export { esc };

/** Where the nav's role-dependent links go; filled per request by `withRoleLinks`. */
const ROLE_LINKS = '<!--role-links-->';

export interface LayoutOptions {
  /** More scripts and style sheets of this origin, after console.js and console.css. */
  scripts?: string[];
  styles?: string[];
}

export function layout(
  title: string,
  page: string,
  body: string,
  signedIn = true,
  options: LayoutOptions = {},
): string {
  const nav = signedIn
    ? `<nav aria-label="Main"><a href="/">Review queue</a>${ROLE_LINKS}<button type="button" id="sign-out" class="link">Sign out</button></nav>`
    : '';
  const styles = (options.styles ?? [])
    .map((href) => `\n<link rel="stylesheet" href="${esc(href)}">`)
    .join('');
  const scripts = (options.scripts ?? [])
    .map((src) => `\n<script src="${esc(src)}" defer></script>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · claim-intake</title>
<link rel="stylesheet" href="/static/console.css">${styles}
<script src="/static/console.js" defer></script>${scripts}
</head>
<body data-page="${esc(page)}">
<header class="top"><span class="brand">claim-intake</span>${nav}</header>
<main id="main">
${body}
</main>
</body>
</html>`;
}

/**
 * The nav's links for the viewer's role: Ops for ops and admin. The marker sits in the
 * header, before any page content (which is escaped, so cannot contain it).
 */
export function withRoleLinks(html: string, role: UserRole | undefined): string {
  const links = role === 'ops' || role === 'admin' ? '<a href="/ops">Ops</a>' : '';
  return html.replace(ROLE_LINKS, links);
}
