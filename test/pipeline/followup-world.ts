/**
 * What the follow-up tests share: a records directory (in a temporary folder) where
 * demo-shop has a second contact and more platform incidents than the examples, so each test
 * can pay for an incident of its own; a needs-info claim answered by the service; and a
 * stranger's address.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type ClaimRow, EXAMPLES, type Harness, mail, uniqueId } from './pipeline-harness.ts';

export const CONTACT = 'it@demo-shop.test';
export const SECOND_CONTACT = 'billing@demo-shop.test';
export const MALLORY = 'mallory@evil.test';
export const RECEIVED = '2026-03-04T09:00:00+08:00';
/** Before the deadline of every incident below (seven working days after 2 or 3 March). */
export const ANSWERED_AT = '2026-03-04T15:00:00+08:00';

/** Platform incidents on demo-shop's ECS cn-north-1, one per test that pays, by fault time. */
export const FAULT_TIMES = {
  'INC-9001': '2026-03-02 10:05',
  'INC-9003': '2026-03-02 14:05',
  'INC-FU-1': '2026-03-03 09:05',
  'INC-FU-2': '2026-03-03 11:05',
  'INC-FU-3': '2026-03-03 17:05',
  'INC-FU-4': '2026-03-03 19:05',
} as const;
const EXTRA_INCIDENTS = [
  ['INC-FU-1', '2026-03-03T09:00:00+08:00', '2026-03-03T09:30:00+08:00'],
  ['INC-FU-2', '2026-03-03T11:00:00+08:00', '2026-03-03T11:30:00+08:00'],
  ['INC-FU-3', '2026-03-03T17:00:00+08:00', '2026-03-03T17:30:00+08:00'],
  ['INC-FU-4', '2026-03-03T19:00:00+08:00', '2026-03-03T19:30:00+08:00'],
];

/** The example records with demo-shop's second contact and the extra incidents; returns the folder. */
export function followUpRecords(): { dir: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'claim-intake-followup-records-'));
  const dir = join(root, 'records');
  cpSync(join(EXAMPLES, 'records'), dir, { recursive: true });
  const accountsFile = join(dir, 'accounts.json');
  const accounts = JSON.parse(readFileSync(accountsFile, 'utf8')) as {
    id: string;
    emails: string[];
  }[];
  accounts.find((a) => a.id === 'demo-shop')!.emails.push(SECOND_CONTACT);
  writeFileSync(accountsFile, JSON.stringify(accounts));
  const incidentsFile = join(dir, 'incidents.json');
  const incidents = JSON.parse(readFileSync(incidentsFile, 'utf8')) as object[];
  for (const [id, start, end] of EXTRA_INCIDENTS)
    incidents.push({
      id,
      start,
      end,
      cause: 'platform',
      scenario: 'unavailable',
      scope: [{ service: 'ECS', region: 'cn-north-1' }],
    });
  writeFileSync(incidentsFile, JSON.stringify(incidents));
  return { dir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

export const ref = (id: number) => `CLM-${String(id).padStart(6, '0')}`;

/** The fields a needs-info reply asks for, in the subject, for the incident `incident`. */
export function fields(incident: keyof typeof FAULT_TIMES, account = 'demo-shop'): string {
  return `Account: ${account}; Fault time: ${FAULT_TIMES[incident]}; Occurrences: 1`;
}

export interface NeedsInfo {
  claim: ClaimRow;
  messageId: string;
  replyMessageId: string;
}

/**
 * A compensation claim that needs information, sent by `from` and answered by the service;
 * `subject` may name the account (then the claim has one) or not.
 */
export async function needsInfoClaim(
  h: Harness,
  tag: string,
  options: { from?: string; subject?: string; headers?: Record<string, string> } = {},
): Promise<NeedsInfo> {
  const messageId = uniqueId(tag);
  const name = h.deliver(
    mail({
      from: options.from ?? CONTACT,
      subject: options.subject ?? 'Compensation please',
      body: 'We were down.\n',
      messageId,
      headers: options.headers,
    }),
    RECEIVED,
  );
  const claim = await h.waitClaim(
    name,
    (c) => c.state === 'answered',
    `${tag}: needs-info answered`,
  );
  expect(claim.decision).toBe('needs_info');
  const [reply] = await h.replies(claim.id);
  expect(reply).toMatchObject({ kind: 'needs_info', state: 'sent', decision_version: 1 });
  return { claim, messageId, replyMessageId: reply!.message_id };
}

/** The claim ids a stored message (by Maildir name) is linked to as a later message. */
export async function linkedTo(h: Harness, sourceKey: string): Promise<number[]> {
  const { rows } = await h.db.pool.query<{ claim_id: string }>(
    `SELECT cm.claim_id FROM claim_messages cm JOIN messages m ON m.id = cm.message_id
      WHERE m.source_key = $1`,
    [sourceKey],
  );
  return rows.map((r) => Number(r.claim_id));
}

/**
 * The needs-info claim as it was: still version 1, still waiting for information, one reply
 * (the request) and no later message.
 */
export async function expectUntouched(h: Harness, original: NeedsInfo): Promise<void> {
  const now = await h.claim(original.claim.id);
  expect(now).toMatchObject({
    version: 1,
    decision: 'needs_info',
    state: 'answered',
    amount: null,
  });
  expect((await h.replies(original.claim.id)).map((r) => r.message_id)).toEqual([
    original.replyMessageId,
  ]);
  expect(await h.ledger(original.claim.id)).toEqual([]);
  const later = await h.count('SELECT count(*) AS n FROM claim_messages WHERE claim_id = $1', [
    original.claim.id,
  ]);
  expect(later).toBe(0);
}
