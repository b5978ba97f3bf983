/**
 * How single settings are read: the one-line ConfigError, mailbox URLs, sender
 * authentication and trusted proxies. src/config.ts puts them together into the Config.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { DEFAULTS } from './config-defaults.ts';
import { ClaimIntakeError } from './domain/errors.ts';
import { ipv6Value } from './ipv6.ts';
import { InvalidMailFromError, parseMailFrom } from './reply/outbound/mail-from.ts';

export class ConfigError extends ClaimIntakeError {
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super('invalid_setting', `${setting}: ${problem}`);
  }
}

/**
 * Reads one setting: its trimmed value, or, when unset or blank, the fallback. With a
 * fallback the answer is always a string.
 */
export interface StringReader {
  (name: string): string | undefined;
  (name: string, fallback: string): string;
}

/** Reads a whole-number setting within [min, max], or the fallback when unset. */
export type IntReader = (name: string, fallback: number, min: number, max?: number) => number;

/** A setting holding one RFC 5322 mailbox (MAIL_FROM); throws its one-line ConfigError. */
export function mailbox(name: string, value: string): void {
  try {
    parseMailFrom(value);
  } catch (error) {
    if (error instanceof InvalidMailFromError) throw new ConfigError(name, error.problem);
    throw error;
  }
}

export interface ImapMailbox {
  kind: 'imap';
  /** The URL without its password: the mailbox's name in logs, locks and the database. */
  name: string;
  secure: boolean;
  host: string;
  port: number;
  user: string;
  password: string;
  /** The folder claims arrive in. @defaultValue 'INBOX' */
  folder: string;
  /** ALLOW_PLAINTEXT_MAIL: `imap://` off loopback may go on without STARTTLS. @defaultValue false */
  allowPlaintext?: boolean;
}

export interface MaildirMailbox {
  kind: 'maildir';
  name: string;
  path: string;
}

export type MailboxConfig = ImapMailbox | MaildirMailbox;

export interface SenderAuthConfig {
  mode: 'off' | 'header' | 'verify';
  authservId?: string;
  trustedReceivedBy?: string;
}

/** Fastify's trustProxy: off, a hop count, or the addresses, CIDRs and range names trusted. */
export type TrustProxy = false | number | string[];

/** proxy-addr's names for address ranges, accepted as written. */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY: off, a hop count (1–10), or a comma list of addresses, CIDRs and the range
 * names above. Trusting every peer ('true', `0.0.0.0/0`, `::/0`, or any range broader than a
 * private network) is refused: any client could then pick its IP.
 */
export function trustProxy(value: string | undefined): TrustProxy {
  if (value === undefined || value === 'false' || value === 'off') return false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops < 1 || hops > 10)
      throw new ConfigError('TRUST_PROXY', `a hop count is 1 to 10, got "${value}"`);
    return hops;
  }
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (PROXY_RANGES.has(entry)) continue;
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || extra !== undefined)
      throw new ConfigError(
        'TRUST_PROXY',
        `"${entry}" is not an address, a CIDR, loopback, linklocal or uniquelocal (or give a hop count, or off)`,
      );
    if (tooBroad(address!, family, prefix === undefined ? bits : Number(prefix)))
      throw new ConfigError(
        'TRUST_PROXY',
        `"${entry}" is too broad: an IPv4 range must be /8 or narrower, an IPv6 one /7 or narrower (list your proxies)`,
      );
  }
  if (entries.length === 0) throw new ConfigError('TRUST_PROXY', 'lists no proxy');
  return entries;
}

/** ::ffff:0:0/96: IPv4 peers as proxy-addr compares them with an IPv6 range. */
const IPV4_MAPPED = 0xffffn << 32n;

/**
 * A range broader than the largest private ones (10.0.0.0/8, fc00::/7) holds public addresses
 * any client may connect from; trusting it would let that client write its own address into
 * X-Forwarded-For and dodge the per-IP sign-in limit (`0.0.0.0/0` and `::/0` trust everyone).
 * An IPv6 range over the IPv4-mapped block is judged by the IPv4 addresses it holds.
 */
function tooBroad(address: string, family: number, prefix: number): boolean {
  if (family === 4) return prefix < 8;
  if (prefix < 7) return true;
  const shift = BigInt(128 - Math.min(prefix, 96));
  if (ipv6Value(address) >> shift !== IPV4_MAPPED >> shift) return false;
  return Math.max(prefix, 96) - 96 < 8;
}

/**
 * API_TOKEN_DAYS and API_TOKEN_MAX_DAYS (at most ten years): a token's default lifetime
 * cannot exceed the longest one allowed.
 */
export function tokenLifetimes(int: IntReader): { apiTokenDays: number; apiTokenMaxDays: number } {
  const apiTokenMaxDays = int('API_TOKEN_MAX_DAYS', DEFAULTS.API_TOKEN_MAX_DAYS, 1, 3650);
  const apiTokenDays = int(
    'API_TOKEN_DAYS',
    Math.min(DEFAULTS.API_TOKEN_DAYS, apiTokenMaxDays),
    1,
    apiTokenMaxDays,
  );
  return { apiTokenDays, apiTokenMaxDays };
}

/**
 * METRICS_PORT (0 to 65535; 0 asks for any free port) and METRICS_HOST (default HTTP_HOST, so
 * an orchestrator that probes the address the console listens on reaches the probes too). The
 * same address and port as the console's cannot be two servers.
 */
export function metricsListener(
  str: StringReader,
  int: IntReader,
  http: { host: string; port: number },
): { metricsPort: number | undefined; metricsHost: string } {
  const metricsHost = str('METRICS_HOST', http.host);
  if (str('METRICS_PORT') === undefined) return { metricsPort: undefined, metricsHost };
  const metricsPort = int('METRICS_PORT', 0, 0, 65535);
  if (metricsPort !== 0 && metricsPort === http.port && metricsHost === http.host)
    throw new ConfigError(
      'METRICS_PORT',
      `is HTTP_PORT (${http.port}) on the same host: give the probes and metrics a port of their own`,
    );
  return { metricsPort, metricsHost };
}

export function senderAuth(str: StringReader): SenderAuthConfig {
  const mode = str('SENDER_AUTH', DEFAULTS.SENDER_AUTH);
  if (mode !== 'off' && mode !== 'header' && mode !== 'verify') {
    throw new ConfigError('SENDER_AUTH', 'must be off, header or verify');
  }
  const authservId = str('SENDER_AUTH_AUTHSERV_ID');
  if (mode === 'header' && !authservId) {
    throw new ConfigError(
      'SENDER_AUTH_AUTHSERV_ID',
      'is required when SENDER_AUTH=header (our receiving server’s authserv-id)',
    );
  }
  const trustedReceivedBy = str('SENDER_AUTH_TRUSTED_RECEIVED_BY');
  return Object.freeze({
    mode,
    ...(authservId ? { authservId } : {}),
    ...(trustedReceivedBy ? { trustedReceivedBy } : {}),
  });
}

export function parseImapUrl(text: string): ImapMailbox {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new ConfigError('IMAP_URL', `"${text.replace(/:[^:@/]*@/, ':***@')}" is not a URL`);
  }
  if (u.protocol !== 'imap:' && u.protocol !== 'imaps:') {
    throw new ConfigError('IMAP_URL', 'must start with imap:// or imaps://');
  }
  if (!u.hostname || !u.username)
    throw new ConfigError('IMAP_URL', 'needs a user and a host (imap://user:pass@host:port/INBOX)');
  const secure = u.protocol === 'imaps:';
  const port = u.port ? Number(u.port) : secure ? 993 : 143;
  const folder = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'INBOX';
  const user = decodeURIComponent(u.username);
  return {
    kind: 'imap',
    name: `${u.protocol}//${encodeURIComponent(user)}@${u.hostname}:${port}/${folder}`,
    secure,
    // An IPv6 literal is bracketed in a URL ([fd00::2]) but not in a socket address.
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    user,
    password: decodeURIComponent(u.password),
    folder,
  };
}

export function maildir(path: string): MaildirMailbox {
  const abs = resolve(path);
  return { kind: 'maildir', name: `maildir:${abs}`, path: abs };
}

/** Where a Redis Cluster is first reached, and the credentials every node shares. */
export interface RedisClusterSeeds {
  nodes: { host: string; port: number }[];
  username: string | undefined;
  password: string | undefined;
  /** rediss:// seeds: every node is reached over TLS. */
  tls: boolean;
}

/**
 * REDIS_URL with REDIS_CLUSTER=true: a comma list of seed nodes `redis://[user:pass@]host:port`.
 * The client learns the other nodes from them; every node takes the same credentials and
 * scheme, and a cluster has only database 0, so a path is refused.
 */
export function redisClusterSeeds(value: string): RedisClusterSeeds {
  const urls = value
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (urls.length === 0) throw new ConfigError('REDIS_URL', 'lists no cluster node');
  const parsed = urls.map((text) => {
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      throw new ConfigError('REDIS_URL', `"${redactPassword(text)}" is not a URL`);
    }
    if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
      throw new ConfigError('REDIS_URL', 'each cluster node must start with redis:// or rediss://');
    if (!u.hostname) throw new ConfigError('REDIS_URL', 'each cluster node needs a host');
    if (u.pathname !== '' && u.pathname !== '/' && u.pathname !== '/0')
      throw new ConfigError('REDIS_URL', 'a Redis Cluster has only database 0: drop the /db path');
    return u;
  });
  const first = parsed[0]!;
  const same = (u: URL) =>
    u.protocol === first.protocol && u.username === first.username && u.password === first.password;
  if (!parsed.every(same))
    throw new ConfigError(
      'REDIS_URL',
      'every cluster node must have the same scheme, user and password',
    );
  return {
    nodes: parsed.map((u) => ({
      host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: u.port ? Number(u.port) : 6379,
    })),
    username: first.username ? decodeURIComponent(first.username) : undefined,
    password: first.password ? decodeURIComponent(first.password) : undefined,
    tls: first.protocol === 'rediss:',
  };
}

function redactPassword(url: string): string {
  return url.replace(/:[^:@/]*@/, ':***@');
}
