/**
 * What each statement the service ran costs PostgreSQL itself, apart from the round trip
 * and the queueing around it: after a run, on the run's database (its tables as the run
 * left them), each statement seen at least once per 100 claims is run again with its first
 * call's parameters under EXPLAIN (ANALYZE), inside a transaction that is rolled back.
 * Prints planning and execution time (the median of five) and JIT time where PostgreSQL
 * compiled the query. pg_stat_statements would say the same, but needs a server restart
 * (shared_preload_libraries) on a server the bench shares.
 */
import type pg from 'pg';
import type { StatementCount } from './service-child.ts';

interface Cost {
  planningMs: number;
  executionMs: number;
  jitMs: number;
}

const SKIP = /^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SELECT pg_(try_)?advisory_(un)?lock)/i;

async function explainOnce(client: pg.PoolClient, s: StatementCount): Promise<Cost> {
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(
      `EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) ${s.full}`,
      s.params,
    );
    const plan = (rows[0]!['QUERY PLAN'] as Record<string, unknown>[])[0]!;
    const jit = plan.JIT as { Timing?: { Total?: number } } | undefined;
    return {
      planningMs: Number(plan['Planning Time']),
      executionMs: Number(plan['Execution Time']),
      jitMs: jit?.Timing?.Total ?? 0,
    };
  } finally {
    await client.query('ROLLBACK');
  }
}

export async function explainStatements(
  pool: pg.Pool,
  statements: StatementCount[],
  claims: number,
): Promise<void> {
  const client = await pool.connect();
  try {
    console.log(
      'PostgreSQL cost per statement (EXPLAIN ANALYZE with its first parameters, median of 5, ms: planning, execution, JIT; calls per claim):',
    );
    const rows: { s: StatementCount; cost?: Cost; error?: string }[] = [];
    for (const s of statements) {
      if (s.n < claims / 100 || !s.full || SKIP.test(s.sql)) continue;
      try {
        const costs: Cost[] = [];
        for (let i = 0; i < 5; i++) costs.push(await explainOnce(client, s));
        const median = (f: (c: Cost) => number) => costs.map(f).sort((a, b) => a - b)[2]!;
        rows.push({
          s,
          cost: {
            planningMs: median((c) => c.planningMs),
            executionMs: median((c) => c.executionMs),
            jitMs: median((c) => c.jitMs),
          },
        });
      } catch (error) {
        rows.push({ s, error: (error as Error).message.slice(0, 80) });
      }
    }
    let perClaim = 0;
    for (const { s, cost, error } of rows.sort(
      (a, b) => a.s.stage.localeCompare(b.s.stage) || b.s.n - a.s.n,
    )) {
      const calls = s.n / claims;
      if (cost) perClaim += calls * (cost.planningMs + cost.executionMs + cost.jitMs);
      const figures = cost
        ? `${cost.planningMs.toFixed(3).padStart(7)} ${cost.executionMs.toFixed(3).padStart(8)} ${cost.jitMs.toFixed(1).padStart(5)}`
        : `(${error})`;
      console.log(
        `  ${s.stage.slice(0, 30).padEnd(30)} ${calls.toFixed(2).padStart(5)}  ${figures}  ${s.sql.slice(0, 90)}`,
      );
    }
    console.log(
      `  in all, planning + execution + JIT of these statements: ${perClaim.toFixed(2)} ms per claim`,
    );
  } finally {
    client.release();
  }
}
