/**
 * Who is calling: a person through their console session, or a script through an API token.
 * The web's guard finds the principal of a request; everything it does is audited as its actor.
 */
import type { TokenScope } from '../store/tokens-store.ts';
import type { UserRole } from '../store/users-store.ts';

export interface SessionPrincipal {
  kind: 'session';
  sessionId: string;
  csrfToken: string;
  userId: number;
  email: string;
  role: UserRole;
}

export interface TokenPrincipal {
  kind: 'token';
  tokenId: number;
  name: string;
  role: UserRole;
  scopes: TokenScope[];
  /** The person the token belongs to; null for tokens made outside the API. */
  createdBy: number | null;
}

export type Principal = SessionPrincipal | TokenPrincipal;

/** The audit actor for a principal. */
export function actorOf(principal: Principal): string {
  return principal.kind === 'session' ? `user:${principal.email}` : `token:${principal.tokenId}`;
}
