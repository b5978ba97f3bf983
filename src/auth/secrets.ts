/**
 * The console's random secrets (session tokens, CSRF tokens, API tokens) and how they are
 * kept: only as a SHA-256, so a copy of the tables signs nobody in.
 */
import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, base64url: no one guesses it, and it needs no escaping anywhere. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Random tokens of 256 bits need no slow hash: SHA-256 is enough to make a stolen table useless. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
