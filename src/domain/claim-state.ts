/**
 * Where a claim is in its life (the `claims.state` column, migration 002):
 *
 *   received ─assess→ assessed ─settle→ settled ─reply→ answered
 *       │                │  └──────────── reply ───────→ answered (a rejection, a needs-info)
 *       │                └→ review (an agent decides; the acknowledgement leaves it there)
 *       ├→ ignored (automatic mail, our own address)
 *       └→ merged (a follow-up attached to the claim it answers)
 *
 * `closed` is an agent's end without a reply; `settling` is kept for rows of older versions.
 */
export type ClaimState =
  | 'received'
  | 'assessed'
  | 'review'
  | 'settling'
  | 'settled'
  | 'answered'
  | 'closed'
  | 'ignored'
  | 'merged';
