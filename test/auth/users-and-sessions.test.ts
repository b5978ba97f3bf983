/**
 * Users, sessions and tokens (src/auth) against a real database, without HTTP. The same
 * rules through the API: test/web/users-api.test.ts and test/web/api-tokens.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/auth/password.ts';
import { sha256 } from '../../src/auth/secrets.ts';
import { endSession, sessionPrincipal, startSession } from '../../src/auth/sessions.ts';
import { createApiToken, tokenPrincipal } from '../../src/auth/tokens.ts';
import { addUser, updateUser } from '../../src/auth/users.ts';
import { migrate } from '../../src/store/migrate.ts';
import { findUser } from '../../src/store/users-store.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const PASSWORD = 'a long enough passphrase';
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
}, 60_000);
afterAll(async () => {
  await db?.drop();
});

async function auditEntries(action: string) {
  const { rows } = await db.pool.query<{ actor: string; details: Record<string, unknown> }>(
    'SELECT actor, details FROM audit_log WHERE action = $1 ORDER BY id',
    [action],
  );
  return rows;
}

describe('a user', () => {
  it('is stored with an scrypt hash of the password, and an email only once', async () => {
    const id = await addUser(db.pool, {
      email: 'ann@example.com',
      role: 'agent',
      password: PASSWORD,
    });
    expect(id).toBeTypeOf('number');
    const user = await findUser(db.pool, 'ann@example.com');
    expect(user?.passwordHash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await verifyPassword(PASSWORD, user!.passwordHash)).toBe(true);
    expect(
      await addUser(db.pool, { email: 'ann@example.com', role: 'admin', password: PASSWORD }),
    ).toBeUndefined();
  });

  it('disabled loses their sessions and tokens, in one audited change', async () => {
    const id = (await addUser(db.pool, {
      email: 'bob@example.com',
      role: 'admin',
      password: PASSWORD,
    }))!;
    const session = await startSession(db.pool, id);
    const token = 'cit_bob-script';
    await createApiToken(db.pool, {
      name: 'bob’s script',
      tokenHash: sha256(token),
      role: 'agent',
      createdBy: id,
    });
    expect(await sessionPrincipal(db.pool, session.token)).toMatchObject({
      kind: 'session',
      userId: id,
      role: 'admin',
      csrfToken: session.csrfToken,
    });
    expect(await tokenPrincipal(db.pool, token)).toMatchObject({ kind: 'token', createdBy: id });

    expect(await updateUser(db.pool, id, { disabled: true }, 'user:root@example.com')).toBe(true);
    expect(await sessionPrincipal(db.pool, session.token)).toBeUndefined();
    expect(await tokenPrincipal(db.pool, token)).toBeUndefined();
    expect((await auditEntries('user.update')).at(-1)).toEqual({
      actor: 'user:root@example.com',
      details: {
        userId: id,
        email: 'bob@example.com',
        changes: { disabled: true },
        sessionsDeleted: 1,
        tokensRevoked: 1,
      },
    });
  });

  it('that does not exist cannot be changed, and nothing is audited', async () => {
    const before = (await auditEntries('user.update')).length;
    expect(await updateUser(db.pool, 999_999, { role: 'ops' }, 'user:root@example.com')).toBe(
      false,
    );
    expect(await auditEntries('user.update')).toHaveLength(before);
  });
});

describe('a session', () => {
  it('is kept only as the hash of its token, and ends audited on sign-out', async () => {
    const id = (await addUser(db.pool, {
      email: 'cat@example.com',
      role: 'ops',
      password: PASSWORD,
    }))!;
    const { token } = await startSession(db.pool, id);
    const { rows } = await db.pool.query<{ id: string }>(
      'SELECT id FROM sessions WHERE user_id = $1',
      [id],
    );
    expect(rows.map((r) => r.id)).toEqual([sha256(token)]);
    const principal = (await sessionPrincipal(db.pool, token))!;
    await endSession(db.pool, principal);
    expect(await sessionPrincipal(db.pool, token)).toBeUndefined();
    expect((await auditEntries('auth.sign_out')).at(-1)?.actor).toBe('user:cat@example.com');
  });
});
