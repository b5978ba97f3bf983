/**
 * The console's HTML shell. Pages are server-rendered strings; the one script is
 * /static/console.js (the CSP allows scripts from 'self' only, so nothing inline would run).
 */
import { escapeHtml as esc } from '../sanitize.ts';

export { esc };

export function layout(title: string, page: string, body: string, signedIn = true): string {
  const nav = signedIn
    ? `<nav aria-label="Main"><a href="/">Review queue</a><button type="button" id="sign-out" class="link">Sign out</button></nav>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · claim-intake</title>
<link rel="stylesheet" href="/static/console.css">
<script src="/static/console.js" defer></script>
</head>
<body data-page="${esc(page)}">
<header class="top"><span class="brand">claim-intake</span>${nav}</header>
<main id="main">
${body}
</main>
</body>
</html>`;
}
