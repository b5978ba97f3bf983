/**
 * What the PostgreSQL server says about itself, for the start-up checks (src/ops/startup-checks.ts)
 * to judge: nothing here refuses anything.
 */
import type pg from 'pg';

/** The server's version settings, as PostgreSQL reports them (text). */
export interface ServerVersionRow {
  /** server_version_num: "150020" for 15.20; compared as a number. */
  num: string;
  /** server_version: "15.20", perhaps with the distribution's suffix ("15.20 (Debian …)"). */
  version: string;
}

/** server_version_num and server_version of the server `client` is connected to. */
export async function serverVersion(client: pg.PoolClient): Promise<ServerVersionRow> {
  const { rows } = await client.query<ServerVersionRow>(
    "SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version",
  );
  // A SELECT without FROM returns exactly one row.
  const [row] = rows;
  if (!row) throw new Error('PostgreSQL returned no row for its version settings');
  return row;
}
