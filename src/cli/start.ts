/**
 * `claim-intake start [--role all|poller|worker|web]`: runs the service until SIGTERM/SIGINT.
 * A bad setting stops start-up with one line naming it (exit 2).
 */
import { parseArgs } from 'node:util';
import { ClaimIntakeError } from '../domain/errors.ts';
import { createLogger } from '../logger.ts';
import { ROLES, type Role, startService } from '../service.ts';
import { configOrFail, failFor } from './command.ts';
import type { Io } from './main.ts';

export async function runStart(argv: string[], io: Io): Promise<number> {
  let role: Role;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { role: { type: 'string', default: 'all' } },
      strict: true,
    });
    if (!(ROLES as readonly string[]).includes(values.role)) {
      io.stderr(`claim-intake start: --role must be one of ${ROLES.join(', ')}`);
      return 2;
    }
    role = values.role as Role;
  } catch (error) {
    io.stderr(`claim-intake start: ${(error as Error).message}`);
    return 2;
  }
  const config = configOrFail(failFor('start', io));
  if (!config) return 2;
  const logger = createLogger(config.logLevel, undefined, { format: config.logFormat });
  let service: Awaited<ReturnType<typeof startService>>;
  try {
    service = await startService(config, role, logger);
  } catch (error) {
    if (error instanceof ClaimIntakeError) {
      io.stderr(`claim-intake start: ${error.message}`);
      return error.code === 'invalid_input' ? 2 : 1;
    }
    throw error;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'signal received');
      void service.stop().then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}
