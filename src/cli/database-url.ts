/**
 * DATABASE_URL for the database commands (migrate, import, user). They read this one
 * setting, not the whole Config, so a setting they do not use (a bad IMAP_URL, say) never
 * stops a migration or an import.
 */
import { ClaimIntakeError } from '../domain/errors.ts';
import { redactUrl } from '../store/redact-url.ts';

/** CONTRACT.md, "Service configuration". */
export const DEFAULT_DATABASE_URL = 'postgres://localhost/claim_intake';

export class DatabaseUrlError extends ClaimIntakeError {
  constructor(problem: string) {
    super('invalid_setting', `DATABASE_URL: ${problem}`);
  }
}

/** The URL to use; throws DatabaseUrlError when it is not a postgres:// URL. */
export function readDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const value = env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DatabaseUrlError('not a URL (expected postgres://user@host:port/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new DatabaseUrlError(`expected a postgres:// URL, got ${url.protocol}//…`);
  return value;
}

/** "DATABASE_URL (postgres://host/db)", password hidden: how messages name the database. */
export function nameDatabase(url: string): string {
  return `DATABASE_URL (${redactUrl(url)})`;
}

/**
 * The one line a database command prints for a failure it expects (unreachable database,
 * missing schema, bad DATABASE_URL, failed migration); undefined for anything else.
 */
export function databaseFailureLine(error: unknown, url: string): string | undefined {
  if (!(error instanceof ClaimIntakeError)) return undefined;
  switch (error.code) {
    case 'database_unavailable':
      return `${nameDatabase(url)}: ${error.message}`;
    case 'schema_missing':
      return `${nameDatabase(url)}: ${error.message}; run 'claim-intake migrate' and 'claim-intake import DIR'`;
    case 'migration_failed':
      return `${nameDatabase(url)}: migration failed: ${error.message}`;
    case 'invalid_setting':
      return error.message;
    default:
      return undefined;
  }
}
