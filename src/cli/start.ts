/**
 * `claim-intake start [--role all|poller|worker|web]`: runs the service until SIGTERM/SIGINT
 * (or, when npm launched it, until npm's shell goes away). A bad setting stops start-up with
 * one line naming it (exit 2); a database that cannot be used, with one line naming
 * DATABASE_URL (exit 1).
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Logger } from 'pino';
import { ClaimIntakeError } from '../domain/errors.ts';
import { createLogger } from '../logger.ts';
import { ROLES, type Role, startService } from '../service/index.ts';
import { configOrFail, failFor } from './command.ts';
import { databaseFailureLine, nameDatabase } from './database-url.ts';
import type { Io } from './main.ts';

/** How often the parent PID is compared when npm launched us (see `stopRequests`). */
const PARENT_CHECK_MS = 200;

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
  // Listening before start-up: a signal that comes while the service starts (even between
  // its 'claim-intake started' line and the end of startService) stops it once started,
  // rather than killing it with the mailbox lock held. Start-up is bounded by its connect
  // timeouts, so the wait is short.
  const requests = stopRequests(logger, process.env.npm_lifecycle_event !== undefined);
  let service: Awaited<ReturnType<typeof startService>>;
  try {
    service = await startService(config, role, logger);
  } catch (error) {
    requests.end();
    const line = startFailureLine(error, config.databaseUrl);
    if (line === undefined) throw error;
    io.stderr(`claim-intake start: ${line}`);
    return error instanceof ClaimIntakeError && error.code === 'invalid_input' ? 2 : 1;
  }
  await requests.first;
  // Stopping right after start-up can close a BullMQ connection while it still connects,
  // and BullMQ then emits the closed connection's error with no listener left: a rejection
  // nobody handles, which would end a stop that is going fine with a stack trace. Logged.
  process.on('unhandledRejection', (error: unknown) =>
    logger.warn({ err: error }, 'error from a connection closed while stopping'),
  );
  await service.stop();
  // The listeners stay: a signal arriving now (npm forwards the one the terminal already
  // sent us) must not turn a clean exit into death by signal.
  requests.stopWatchingParent();
  return 0;
}

/**
 * The one line for a start-up failure, or undefined for an unexpected error. Database
 * failures name DATABASE_URL (password hidden), as the database commands do; a server's
 * own refusal (CREATE DATABASE without the right to, say) is named the same way.
 */
function startFailureLine(error: unknown, databaseUrl: string): string | undefined {
  if (error instanceof ClaimIntakeError)
    return databaseFailureLine(error, databaseUrl) ?? error.message;
  if (error instanceof pg.DatabaseError)
    return `${nameDatabase(databaseUrl)}: ${error.message.split('\n')[0]}`;
  return undefined;
}

interface StopRequests {
  /** Resolves at the first SIGTERM or SIGINT, or when npm's shell has gone. */
  first: Promise<void>;
  /** Stops the parent check; the signal listeners stay, absorbing repeats. */
  stopWatchingParent(): void;
  /** Removes everything (start-up failed: default signal handling again). */
  end(): void;
}

/**
 * SIGTERM and SIGINT, as many times as they come: the first stops the service, repeats are
 * logged and ignored. Ctrl-C under npx often delivers SIGINT twice (once from the terminal,
 * once forwarded by npm), and with `process.once` the second would kill the process in the
 * middle of its stop, leaving the mailbox lock to expire.
 *
 * `launchedByNpm`: npx runs the bin as `sh -c "'claim-intake' start"` and forwards SIGTERM
 * only to that shell. A shell that forks rather than execs (dash, Debian's /bin/sh) dies of
 * it and the service, orphaned, would run on holding its port and lock. So under npm, our
 * parent going away is a stop request too. Not otherwise: a service started with `nohup … &`
 * outlives the shell that started it, as it should.
 */
function stopRequests(logger: Logger, launchedByNpm: boolean): StopRequests {
  let stop: () => void = () => undefined;
  const first = new Promise<void>((resolve) => {
    stop = resolve;
  });
  let requested = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (requested) {
      logger.info({ signal }, 'already stopping');
      return;
    }
    requested = true;
    logger.info({ signal }, 'signal received');
    stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const launcher = process.ppid;
  const watch = launchedByNpm
    ? setInterval(() => {
        if (process.ppid === launcher) return;
        clearInterval(watch);
        if (requested) return;
        requested = true;
        logger.info({ launcher }, 'the process that launched claim-intake exited');
        stop();
      }, PARENT_CHECK_MS).unref()
    : undefined;
  const stopWatchingParent = () => clearInterval(watch);
  return {
    first,
    stopWatchingParent,
    end() {
      stopWatchingParent();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}
