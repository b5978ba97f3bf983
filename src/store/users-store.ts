/**
 * The console's users in PostgreSQL. Password hashes arrive here already made
 * (auth/password.ts); what else a change to a user must do (end sessions, revoke tokens, an
 * audit entry) is auth/users.ts's.
 */
import type pg from 'pg';

/** The console's roles. Migration 003 checks the same list. */
export const USER_ROLES = ['agent', 'ops', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** A pool, or a client inside a transaction: whatever can run one statement. */
type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export interface UserRow {
  id: number;
  email: string;
  role: UserRole;
  passwordHash: string;
  disabled: boolean;
}

export interface UserSummary {
  id: number;
  email: string;
  role: UserRole;
  disabled: boolean;
  createdAt: string;
}

/** The new user's id, or undefined when the email is taken. */
export async function insertUser(
  pool: Queryable,
  user: { email: string; role: UserRole; passwordHash: string },
): Promise<number | undefined> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO users (email, role, password_hash) VALUES ($1, $2, $3)
     ON CONFLICT (email) DO NOTHING RETURNING id`,
    [user.email, user.role, user.passwordHash],
  );
  return rows[0] ? Number(rows[0].id) : undefined;
}

export async function findUser(pool: Queryable, email: string): Promise<UserRow | undefined> {
  const { rows } = await pool.query<{
    id: string;
    email: string;
    role: UserRole;
    password_hash: string;
    disabled: boolean;
  }>('SELECT id, email, role, password_hash, disabled FROM users WHERE email = $1', [email]);
  const r = rows[0];
  return (
    r && {
      id: Number(r.id),
      email: r.email,
      role: r.role,
      passwordHash: r.password_hash,
      disabled: r.disabled,
    }
  );
}

/** Replaces a password hash (a rehash at sign-in) unless it changed meanwhile. */
export async function replacePasswordHash(
  pool: Queryable,
  userId: number,
  from: string,
  to: string,
): Promise<boolean> {
  const { rowCount } = await pool.query(
    'UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2',
    [userId, from, to],
  );
  return rowCount === 1;
}

/** Every user, oldest first; never the password hashes. */
export async function listUsers(pool: Queryable): Promise<UserSummary[]> {
  const { rows } = await pool.query<{
    id: string;
    email: string;
    role: UserRole;
    disabled: boolean;
    created_at: Date;
  }>('SELECT id, email, role, disabled, created_at FROM users ORDER BY id');
  return rows.map((r) => ({
    id: Number(r.id),
    email: r.email,
    role: r.role,
    disabled: r.disabled,
    createdAt: r.created_at.toISOString(),
  }));
}

/**
 * Sets a user's role and/or disabled flag (an absent one stays as it is); the user as they
 * are now, or undefined when there is no such user.
 */
export async function updateUserRow(
  client: Queryable,
  id: number,
  changes: { role?: UserRole; disabled?: boolean },
): Promise<{ email: string; role: UserRole; disabled: boolean } | undefined> {
  const { rows } = await client.query<{ email: string; role: UserRole; disabled: boolean }>(
    `UPDATE users SET role = coalesce($2, role), disabled = coalesce($3, disabled)
      WHERE id = $1 RETURNING email, role, disabled`,
    [id, changes.role ?? null, changes.disabled ?? null],
  );
  return rows[0];
}
