/**
 * Where each claim's time went, segment by segment: delivered (APPEND or rename, the
 * bench's clock) → stored (messages.created_at: the store transaction's start) → assess job
 * added → started → done → settle job (approved claims) → reply job → reply sent
 * (replies.sent_at) → reply at the SMTP sink (the bench's clock). BullMQ keeps each job's
 * timestamp (added), processedOn (started) and finishedOn (done) for a day, so waiting in a
 * queue and working are told apart per stage. All clocks are this machine's.
 */

import type { Redis } from 'ioredis';
import type pg from 'pg';
import { percentile } from './support.ts';

interface ClaimTimes {
  delivered?: number | undefined;
  stored: number;
  sent?: number | undefined;
  atSink?: number | undefined;
  jobs: Partial<
    Record<'assess' | 'settle' | 'reply', { added: number; started: number; done: number }>
  >;
}

export interface Segment {
  name: string;
  /** ms, ascending; one per claim that has both ends. */
  values: number[];
}

/**
 * Every segment's durations for the claims whose message matches `where` (SQL on `m`).
 * `delivered` and `atSink` are keyed by the claim's Message-ID (without brackets).
 */
export async function stageTimes(options: {
  pool: pg.Pool;
  redis: Redis;
  prefix: string;
  where?: string;
  delivered?: Map<string, number>;
  atSink?: Map<string, number>;
}): Promise<Segment[]> {
  const { pool, redis, prefix } = options;
  const { rows } = await pool.query<{
    id: string;
    version: number;
    message_id: string;
    stored: Date;
    sent: Date | null;
  }>(
    `SELECT c.id, c.version, m.message_id, m.created_at AS stored,
            (SELECT min(r.sent_at) FROM replies r WHERE r.claim_id = c.id AND r.state = 'sent') AS sent
       FROM claims c JOIN messages m ON m.id = c.message_id WHERE ${options.where ?? 'true'}`,
  );
  const jobKeys = (r: (typeof rows)[number]) => ({
    assess: `{${prefix}}:assess:assess-${r.id}`,
    settle: `{${prefix}}:settle:settle-${r.id}-v${r.version}`,
    reply: `{${prefix}}:reply:reply-${r.id}-v${r.version}`,
  });
  const batch = redis.pipeline();
  for (const r of rows)
    for (const key of Object.values(jobKeys(r)))
      batch.hmget(key, 'timestamp', 'processedOn', 'finishedOn');
  const results = (await batch.exec()) ?? [];
  const claims: ClaimTimes[] = rows.map((r, i) => {
    const jobs: ClaimTimes['jobs'] = {};
    (['assess', 'settle', 'reply'] as const).forEach((name, j) => {
      const [added, started, done] = ((results[i * 3 + j]?.[1] as (string | null)[]) ?? []).map(
        Number,
      );
      if (added && started && done) jobs[name] = { added, started, done };
    });
    return {
      delivered: options.delivered?.get(r.message_id),
      stored: r.stored.getTime(),
      sent: r.sent?.getTime(),
      atSink: options.atSink?.get(r.message_id),
      jobs,
    };
  });
  const segment = (name: string, f: (c: ClaimTimes) => number | undefined): Segment => ({
    name,
    values: claims
      .map(f)
      .filter((v): v is number => v !== undefined && Number.isFinite(v))
      .sort((a, b) => a - b),
  });
  const a = (c: ClaimTimes) => c.jobs.assess;
  const s = (c: ClaimTimes) => c.jobs.settle;
  const r = (c: ClaimTimes) => c.jobs.reply;
  // The job before the reply job: settle for approved claims, else assess.
  const beforeReply = (c: ClaimTimes) => s(c) ?? a(c);
  const since = (from?: number, to?: number) =>
    from === undefined || to === undefined ? undefined : to - from;
  return [
    segment('delivered → stored (intake)', (c) => since(c.delivered, c.stored)),
    segment('stored → assess job added', (c) => since(c.stored, a(c)?.added)),
    segment('assess: waiting in queue', (c) => since(a(c)?.added, a(c)?.started)),
    segment('assess: working', (c) => since(a(c)?.started, a(c)?.done)),
    segment('settle: waiting in queue', (c) => since(s(c)?.added, s(c)?.started)),
    segment('settle: working', (c) => since(s(c)?.started, s(c)?.done)),
    segment('reply: added → previous job done', (c) => since(r(c)?.added, beforeReply(c)?.done)),
    segment('reply: waiting in queue', (c) => since(r(c)?.added, r(c)?.started)),
    segment('reply: working (prepare + send)', (c) => since(r(c)?.started, r(c)?.done)),
    segment('reply: sent_at → job done', (c) => since(c.sent, r(c)?.done)),
    segment('stored → reply sent', (c) => since(c.stored, c.sent)),
    segment('delivered → reply at the sink', (c) => since(c.delivered, c.atSink)),
  ];
}

const f = (ms: number) => (Number.isNaN(ms) ? '-' : ms.toFixed(ms < 10 ? 1 : 0));

export function printSegments(segments: Segment[]): void {
  console.log('per-claim segments, ms (n, mean, p50, p95, p99, max):');
  for (const { name, values } of segments) {
    if (values.length === 0) continue;
    const mean = values.reduce((x, y) => x + y, 0) / values.length;
    console.log(
      `  ${name.padEnd(36)} n ${String(values.length).padStart(5)}  mean ${f(mean).padStart(6)}  p50 ${f(percentile(values, 50)).padStart(6)}  p95 ${f(percentile(values, 95)).padStart(6)}  p99 ${f(percentile(values, 99)).padStart(6)}  max ${f(percentile(values, 100)).padStart(6)}`,
    );
  }
}
