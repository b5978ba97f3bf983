/**
 * User management (admin only): list, create, change role or disable. Every change is
 * written to the audit log; responses never carry password hashes. An admin cannot disable
 * or demote themselves, so a console is not locked out by a slip of the mouse.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../auth/password.ts';
import { actorOf } from '../../auth/principal.ts';
import { addUser, listUsers, USER_ROLES, type UserRole, updateUser } from '../../auth/users.ts';
import { writeAudit } from '../../store/audit-log.ts';
import { ApiError } from '../errors.ts';
import { guard } from '../guard.ts';

const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;

const isRole = (value: unknown): value is UserRole =>
  (USER_ROLES as readonly unknown[]).includes(value);

export function userRoutes(app: FastifyInstance, { pool }: { pool: pg.Pool }): void {
  const adminOnly = guard(pool, ['admin']);

  app.get('/api/users', { preHandler: adminOnly }, async () => ({ users: await listUsers(pool) }));

  app.post('/api/users', { preHandler: adminOnly }, async (request, reply) => {
    const body = request.body as { email?: unknown; role?: unknown; password?: unknown } | null;
    const email = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : '';
    const { role, password } = body ?? {};
    if (!EMAIL.test(email) || email.length > 254 || !isRole(role))
      throw new ApiError(
        'invalid_input',
        `send {"email": …, "role": ${USER_ROLES.join('|')}, "password": …}`,
      );
    if (
      typeof password !== 'string' ||
      password.length < MIN_PASSWORD_LENGTH ||
      password.length > MAX_PASSWORD_LENGTH
    )
      throw new ApiError(
        'invalid_input',
        `the password needs ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`,
      );
    const id = await addUser(pool, { email, role, password });
    if (id === undefined) throw new ApiError('conflict', `${email} already exists`);
    await writeAudit(pool, {
      actor: actorOf(request.principal!),
      action: 'user.create',
      details: { userId: id, email, role },
    });
    return reply.code(201).send({ id });
  });

  app.patch('/api/users/:id', { preHandler: adminOnly }, async (request) => {
    const raw = (request.params as { id: string }).id;
    if (!/^\d{1,18}$/.test(raw)) throw new ApiError('not_found');
    const id = Number(raw);
    const body = request.body as { role?: unknown; disabled?: unknown } | null;
    const changes: { role?: UserRole; disabled?: boolean } = {};
    if (body?.role !== undefined) {
      if (!isRole(body.role))
        throw new ApiError('invalid_input', `role must be one of ${USER_ROLES.join(', ')}`);
      changes.role = body.role;
    }
    if (body?.disabled !== undefined) {
      if (typeof body.disabled !== 'boolean')
        throw new ApiError('invalid_input', 'disabled must be true or false');
      changes.disabled = body.disabled;
    }
    if (changes.role === undefined && changes.disabled === undefined)
      throw new ApiError('invalid_input', 'send {"role": …} and/or {"disabled": …}');
    const principal = request.principal!;
    if (
      principal.kind === 'session' &&
      principal.userId === id &&
      (changes.disabled === true || (changes.role !== undefined && changes.role !== 'admin'))
    )
      throw new ApiError('invalid_input', 'you cannot disable or demote yourself');
    if (!(await updateUser(pool, id, changes, actorOf(principal)))) throw new ApiError('not_found');
    return { id, ...changes };
  });
}
