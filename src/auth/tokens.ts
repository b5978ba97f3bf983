/**
 * API tokens for scripts. A token is shown once, when made; the database keeps only its
 * SHA-256. It acts with its role, its scopes (TOKEN_SCOPES) each add one capability, and it
 * can never do more than its maker still may (tokens-store.ts says how that is checked).
 */
import type pg from 'pg';
import { insertApiToken, type TokenScope, touchLiveToken } from '../store/tokens-store.ts';
import type { UserRole } from '../store/users-store.ts';
import type { TokenPrincipal } from './principal.ts';
import { newSecret, sha256 } from './secrets.ts';

export {
  listApiTokens,
  revokeApiToken,
  TOKEN_SCOPES,
  type TokenScope,
  type TokenSummary,
} from '../store/tokens-store.ts';

/** The prefix makes leaked tokens easy to spot (secret scanners, logs). */
export const TOKEN_PREFIX = 'cit_';
/** A token's lifetime when its maker names none. */
export const DEFAULT_TOKEN_DAYS = 90;

/** A new token's value, to be shown once and stored as createApiToken's tokenHash. */
export function newApiToken(): string {
  return `${TOKEN_PREFIX}${newSecret()}`;
}

export function createApiToken(
  pool: Pick<pg.Pool, 'query'>,
  token: {
    name: string;
    /** sha256() of the token. */
    tokenHash: string;
    role: UserRole;
    /** @defaultValue none */
    scopes?: TokenScope[];
    createdBy: number | null;
    /** @defaultValue DEFAULT_TOKEN_DAYS */
    expiresInDays?: number;
  },
): Promise<{ id: number; expiresAt: string }> {
  return insertApiToken(pool, {
    ...token,
    scopes: token.scopes ?? [],
    expiresInDays: token.expiresInDays ?? DEFAULT_TOKEN_DAYS,
  });
}

/** The live token of a bearer value (noting its use), or undefined. */
export async function tokenPrincipal(
  pool: Pick<pg.Pool, 'query'>,
  token: string,
): Promise<TokenPrincipal | undefined> {
  const t = await touchLiveToken(pool, sha256(token));
  return (
    t && {
      kind: 'token',
      tokenId: t.id,
      name: t.name,
      role: t.role,
      scopes: t.scopes,
      createdBy: t.createdBy,
    }
  );
}
