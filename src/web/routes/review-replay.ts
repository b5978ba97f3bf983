/**
 * GET /api/review/claims/:id/replay: the engine runs again on what a decision stored (its
 * email, record slice, policy and calendar) and the answer puts both decisions side by side.
 * Read-only, so open to every role that reads claims, and not audited. Nothing about the
 * claim is logged here: its email and records stay out of the logs.
 */
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type pg from 'pg';
import { ReplayUnavailableError } from '../../pipeline/replay.ts';
import { ReviewError } from '../../review/errors.ts';
import { replayView } from '../../review/replay-view.ts';
import { ApiError } from '../errors.ts';

export interface ReplayRoutesOptions {
  pool: pg.Pool;
  /** The guard the claim detail is read under. */
  read: preHandlerAsyncHookHandler;
}

function claimId(request: FastifyRequest): number {
  const raw = (request.params as { id: string }).id;
  if (!/^\d{1,15}$/.test(raw)) throw new ApiError('not_found');
  return Number(raw);
}

/** `?version=N`, a decision version (1 or more); absent for the latest. */
function versionParam(request: FastifyRequest): number | undefined {
  const v = (request.query as Record<string, unknown>).version;
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[1-9]\d{0,8}$/.test(v))
    throw new ApiError('invalid_input', "'version' is a decision version: a whole number from 1");
  return Number(v);
}

export function replayRoutes(app: FastifyInstance, { pool, read }: ReplayRoutesOptions): void {
  app.get('/api/review/claims/:id/replay', { preHandler: read }, async (request) => {
    const id = claimId(request);
    const version = versionParam(request);
    try {
      return await replayView(pool, id, version);
    } catch (error) {
      if (error instanceof ReplayUnavailableError)
        throw new ApiError('replay_unavailable', error.message);
      if (error instanceof ReviewError && error.code === 'not_found')
        throw new ApiError('not_found', error.message);
      throw error;
    }
  });
}
