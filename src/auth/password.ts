/**
 * Password hashing with node:crypto scrypt, stored as `scrypt$N$r$p$salt$hash` (base64)
 * so the cost can be raised without invalidating existing hashes: a hash of an older,
 * weaker cost still verifies, and needsRehash() tells the sign-in to replace it.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { ConcurrencyLimit } from './concurrency-limit.ts';

export const MIN_PASSWORD_LENGTH = 12;
/** Bounds the work one sign-in request can ask for. */
export const MAX_PASSWORD_LENGTH = 1024;

/** N = 2^17, r = 8: 128 MiB and a few hundred milliseconds per hash (OWASP's minimum). */
export const PASSWORD_PARAMS = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });
const KEY_LENGTH = 32;
/**
 * The most memory a stored hash may ask for (128·N·r bytes): twice today's cost, room for
 * one raise. A tampered or corrupted row must not make a sign-in allocate gigabytes.
 */
const MAX_STORED_MEMORY = 256 * 2 ** 20;
const MAX_STORED_P = 4;

/**
 * Every derivation in the process takes a turn here: two at once (256 MiB, and two of
 * libuv's four threads, leaving the others to file and DNS work); 64 more may wait, and
 * beyond that hashPassword and verifyPassword reject with ConcurrencyLimitBusy rather than
 * let a burst of parallel sign-ins exhaust memory.
 */
export const PASSWORD_WORK = new ConcurrencyLimit({ limit: 2, maxWaiting: 64 });

interface Stored {
  n: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node refuses more than maxmem (32 MiB by default).
  const options: ScryptOptions = { N: n, r, p, maxmem: 256 * n * r };
  return PASSWORD_WORK.run(
    () =>
      new Promise<Buffer>((resolve, reject) =>
        scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) =>
          error ? reject(error) : resolve(key),
        ),
      ),
  );
}

/** A stored hash's parts, or undefined when malformed or asking for too much work. */
function parse(stored: string): Stored | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [n, r, p] = parts.slice(1, 4).map((x) => (/^\d{1,10}$/.test(x!) ? Number(x) : 0)) as [
    number,
    number,
    number,
  ];
  const powerOfTwo = n >= 2 && Number.isInteger(Math.log2(n));
  if (!powerOfTwo || r < 1 || p < 1 || p > MAX_STORED_P || 128 * n * r > MAX_STORED_MEMORY)
    return undefined;
  const salt = Buffer.from(parts[4]!, 'base64');
  const hash = Buffer.from(parts[5]!, 'base64');
  if (salt.length < 8 || hash.length !== KEY_LENGTH) return undefined;
  return { n, r, p, salt, hash };
}

export async function hashPassword(password: string): Promise<string> {
  const { N, r, p } = PASSWORD_PARAMS;
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, r, p);
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * False for a wrong password and for a malformed or over-costly stored hash (never throws
 * on bad data); rejects only with ConcurrencyLimitBusy when too many derivations wait.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const s = parse(stored);
  if (!s) return false;
  const key = await derive(password, s.salt, s.n, s.r, s.p);
  // Constant-time: the comparison must not reveal how many leading bytes matched.
  return timingSafeEqual(key, s.hash);
}

/** True when a valid stored hash is weaker than PASSWORD_PARAMS: replace it on sign-in. */
export function needsRehash(stored: string): boolean {
  const s = parse(stored);
  return s !== undefined && (s.n < PASSWORD_PARAMS.N || s.r < PASSWORD_PARAMS.r);
}

/**
 * A valid hash of nothing anyone knows: checked when the email is unknown, so an unknown
 * email costs the same time as a wrong password and timing does not reveal who has an account.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(32).toString('base64'));
  // A failed first try (e.g. too busy) must not leave every later sign-in failing with it.
  decoy.catch(() => {
    decoy = undefined;
  });
  return decoy;
}
