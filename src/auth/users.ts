/**
 * The console's users: made with a password that only its scrypt hash keeps, given a role,
 * disabled rather than deleted. A change to a user also ends what it no longer allows:
 * disabling ends their sessions, and any change revokes their API tokens beyond it.
 */
import type pg from 'pg';
import { writeAudit } from '../store/audit-log.ts';
import { withTransaction } from '../store/database.ts';
import { deleteUserSessions } from '../store/sessions-store.ts';
import { revokeTokensBeyond } from '../store/tokens-store.ts';
import { insertUser, type UserRole, updateUserRow } from '../store/users-store.ts';
import { hashPassword } from './password.ts';

export {
  listUsers,
  USER_ROLES,
  type UserRole,
  type UserRow,
  type UserSummary,
} from '../store/users-store.ts';

/**
 * Adds a user with the scrypt hash of their password; the new id, or undefined when the
 * email is taken. The password's length is the caller's to check (MIN_PASSWORD_LENGTH).
 */
export async function addUser(
  pool: pg.Pool,
  user: { email: string; role: UserRole; password: string },
): Promise<number | undefined> {
  const passwordHash = await hashPassword(user.password);
  return insertUser(pool, { email: user.email, role: user.role, passwordHash });
}

/**
 * Changes a user's role and/or disabled flag in one transaction with its audit entry;
 * disabling also deletes the user's sessions, and any change revokes the user's API tokens
 * that now do more than the user may (revokeTokensBeyond). False when there is no such user.
 */
export function updateUser(
  pool: pg.Pool,
  id: number,
  changes: { role?: UserRole; disabled?: boolean },
  actor: string,
): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    const user = await updateUserRow(client, id, changes);
    if (!user) return false;
    const sessionsDeleted = changes.disabled === true ? await deleteUserSessions(client, id) : 0;
    const tokensRevoked = await revokeTokensBeyond(client, id, user);
    await writeAudit(client, {
      actor,
      action: 'user.update',
      details: { userId: id, email: user.email, changes, sessionsDeleted, tokensRevoked },
    });
    return true;
  });
}
