/**
 * Authentication-Results (RFC 8601): parsing, and the verdict of 'header' mode.
 *
 * Only results written by our own receiving server count. RFC 8601 §5: a border MTA must
 * delete incoming Authentication-Results fields that carry its own authserv-id, and a
 * reader must ignore fields from authserv-ids it does not trust, since anyone can write
 * them. Our server prepends its fields (RFC 5322 §3.6: trace fields are added at the
 * top), so the trusted ones are the first run of fields with our authserv-id, read from
 * the top; a field with our authserv-id below a foreign one arrived from outside.
 */
import { domainOf, organizationalDomain, relaxedAligned } from './domain.ts';
import { lex, type Token } from './lex.ts';

/** One `method=result` statement with its properties (RFC 8601 §2.2 `resinfo`). */
export interface ResInfo {
  /** Lower-cased method: `dmarc`, `dkim`, `spf`, `arc`… */
  method: string;
  /** Lower-cased result: `pass`, `fail`, `none`, `temperror`… */
  result: string;
  reason: string | null;
  /** `ptype.property` (lower-cased) → value as written, e.g. `header.from` → `example.com`. */
  props: Record<string, string>;
}

export interface AuthResults {
  authservId: string;
  results: ResInfo[];
}

/** The verdict of header mode, before the mode name is added. */
export interface HeaderVerdict {
  authenticated: boolean;
  basis: 'dmarc' | 'dkim' | 'spf' | 'none';
  detail: string;
}

const isValue = (t: Token | undefined): t is Token =>
  t !== undefined && (t.kind === 'word' || t.kind === 'quoted');

/** A property value: the token after '=', plus what is glued to it (base64 `b=` values hold '/' and '='). */
function readValue(tokens: Token[], start: number): { value: string; next: number } {
  let value = '';
  let i = start;
  while (i < tokens.length) {
    const t = tokens[i] as Token;
    if (t.kind === ';' || (i > start && t.spaced)) break;
    value += t.text;
    i++;
  }
  return { value, next: i };
}

function parseResInfo(tokens: Token[]): ResInfo | null {
  const method = tokens[0];
  if (!isValue(method)) return null;
  let i = 1;
  // method-version (RFC 8601 §2.2: `method [CFWS] "/" [CFWS] method-version`)
  if (tokens[i]?.kind === '/') i += 2;
  if (tokens[i]?.kind !== '=' || !isValue(tokens[i + 1])) return null;
  const result = (tokens[i + 1] as Token).text.toLowerCase();
  i += 2;
  const props: Record<string, string> = {};
  let reason: string | null = null;
  while (i < tokens.length) {
    const key = tokens[i] as Token;
    if (!isValue(key) || tokens[i + 1]?.kind !== '=') {
      i++;
      continue;
    }
    const { value, next } = readValue(tokens, i + 2);
    const name = key.text.toLowerCase();
    if (name === 'reason') reason = value;
    else if (!(name in props)) props[name] = value;
    i = next;
  }
  return { method: method.text.toLowerCase(), result, reason, props };
}

/** Parses one Authentication-Results value; null when it has no authserv-id. Never throws. */
export function parseAuthResults(value: string): AuthResults | null {
  const tokens = lex(value).filter((t) => t.kind !== 'comment');
  const id = tokens[0];
  if (!isValue(id)) return null;
  const statements: Token[][] = [];
  let current: Token[] | null = null; // tokens before the first ';' are the id and its version
  for (const t of tokens.slice(1)) {
    if (t.kind === ';') {
      current = [];
      statements.push(current);
    } else if (current) current.push(t);
  }
  const results: ResInfo[] = [];
  for (const statement of statements) {
    // `; none` (RFC 8601 §2.2 no-result) parses to nothing, as does junk
    const parsed = parseResInfo(statement);
    if (parsed) results.push(parsed);
  }
  return { authservId: id.text, results };
}

function sameId(a: string, b: string): boolean {
  const norm = (s: string) => s.trim().replace(/\.$/, '').toLowerCase();
  return norm(a) === norm(b);
}

/** The results our server wrote: the first run of fields with `authservId`, from the top. */
export function trustedResults(values: readonly string[], authservId: string): ResInfo[] {
  const results: ResInfo[] = [];
  let inRun = false;
  for (const value of values) {
    const parsed = parseAuthResults(value);
    const ours = parsed !== null && sameId(parsed.authservId, authservId);
    if (ours) {
      inRun = true;
      results.push(...parsed.results);
    } else if (inRun) break;
  }
  return results;
}

/** Whether a `header.from` value names the From domain (mailauth writes the organizational domain). */
function namesFrom(headerFrom: string | undefined, fromDomain: string): boolean {
  const named = domainOf(headerFrom);
  return named !== '' && (named === fromDomain || named === organizationalDomain(fromDomain));
}

/**
 * Header mode's verdict for the From domain. DMARC (RFC 7489 §11.2) decides when present:
 * `pass` for the From domain authenticates; `fail`, `temperror`, `permerror` or anything
 * else but `none` does not. With no DMARC result or `dmarc=none` (no policy published),
 * an aligned DKIM pass (RFC 6376, `header.d`, else the domain of `header.i`) or an
 * aligned SPF pass (RFC 7208, `smtp.mailfrom`) authenticates, as DMARC itself would.
 */
export function headerVerdict(
  values: readonly string[],
  authservId: string,
  fromDomain: string,
): HeaderVerdict {
  const results = trustedResults(values, authservId);
  if (results.length === 0)
    return { authenticated: false, basis: 'none', detail: `no results from ${authservId}` };

  const dmarc = results.filter((r) => r.method === 'dmarc');
  const bad = dmarc.find((r) => r.result !== 'pass' && r.result !== 'none');
  if (bad) {
    const domain = bad.props['header.from'] ?? '?';
    return {
      authenticated: false,
      basis: 'dmarc',
      detail: `dmarc=${bad.result} header.from=${domain}`,
    };
  }
  const pass = dmarc.find(
    (r) => r.result === 'pass' && namesFrom(r.props['header.from'], fromDomain),
  );
  if (pass)
    return { authenticated: true, basis: 'dmarc', detail: `dmarc=pass header.from=${fromDomain}` };
  if (dmarc.some((r) => r.result === 'pass'))
    return { authenticated: false, basis: 'dmarc', detail: `dmarc=pass is not for ${fromDomain}` };

  const dkim = results.find((r) => {
    if (r.method !== 'dkim' || r.result !== 'pass') return false;
    return relaxedAligned(domainOf(r.props['header.d'] ?? r.props['header.i']), fromDomain);
  });
  if (dkim) {
    const d = domainOf(dkim.props['header.d'] ?? dkim.props['header.i']);
    return {
      authenticated: true,
      basis: 'dkim',
      detail: `dkim=pass header.d=${d}, no DMARC policy`,
    };
  }
  const spf = results.find(
    (r) =>
      r.method === 'spf' &&
      r.result === 'pass' &&
      relaxedAligned(domainOf(r.props['smtp.mailfrom']), fromDomain),
  );
  if (spf) {
    const d = domainOf(spf.props['smtp.mailfrom']);
    return {
      authenticated: true,
      basis: 'spf',
      detail: `spf=pass smtp.mailfrom=${d}, no DMARC policy`,
    };
  }
  return {
    authenticated: false,
    basis: dmarc.length > 0 ? 'dmarc' : 'none',
    detail: `no DMARC pass and no DKIM or SPF pass aligned with ${fromDomain}`,
  };
}
