/**
 * Amount = Σ over affected resources of daily fee × fault time × multiplier / 1 day,
 * fault time being the platform's record (rectification − start). Overlapping incidents
 * on one resource are merged: an overlapped stretch counts once, at the highest multiplier.
 * Exact: the result is a ratio, rounded once by the caller.
 */
import { addRatio, decimal, type Ratio, ratioOf, ZERO } from '../money.ts';
import type { Policy } from '../policy.ts';
import type { AffectedIncident } from '../record-index.ts';
import type { Resource } from '../records.ts';
import { DAY_MS, formatInstant } from '../time.ts';
import type { CompensationLine } from './types.ts';

interface Stretch {
  from: number;
  to: number;
  multiplier: number;
  incident: string;
}

export function compensationAmount(
  payable: AffectedIncident[],
  multipliers: Policy['multipliers'],
  timeZone: string,
): { total: Ratio; lines: CompensationLine[] } {
  const byResource = new Map<string, { resource: Resource; stretches: Stretch[] }>();
  for (const { incident, resources } of payable) {
    for (const resource of resources) {
      let entry = byResource.get(resource.id);
      if (!entry) {
        entry = { resource, stretches: [] };
        byResource.set(resource.id, entry);
      }
      entry.stretches.push({
        from: incident.start,
        to: incident.end,
        multiplier: multipliers[incident.scenario],
        incident: incident.id,
      });
    }
  }
  let total = ZERO;
  const lines: CompensationLine[] = [];
  for (const { resource, stretches } of byResource.values()) {
    const fee = ratioOf(decimal(resource.dailyFee));
    for (const piece of merge(stretches)) {
      const ms = BigInt(piece.to - piece.from);
      total = addRatio(total, {
        num: fee.num * ms * BigInt(piece.multiplier),
        den: fee.den * BigInt(DAY_MS),
      });
      lines.push({
        resource: resource.id,
        dailyFee: resource.dailyFee,
        from: formatInstant(piece.from, timeZone),
        to: formatInstant(piece.to, timeZone),
        faultSeconds: (piece.to - piece.from) / 1000,
        multiplier: piece.multiplier,
        incidents: piece.incidents,
      });
    }
  }
  return { total, lines };
}

/**
 * Cuts the stretches at every boundary and keeps, for each piece covered by any stretch,
 * the highest multiplier; adjacent pieces with the same multiplier are joined again.
 */
export function merge(
  stretches: Stretch[],
): { from: number; to: number; multiplier: number; incidents: string[] }[] {
  const cuts = [...new Set(stretches.flatMap((s) => [s.from, s.to]))].sort((x, y) => x - y);
  const pieces: { from: number; to: number; multiplier: number; incidents: string[] }[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const from = cuts[i]!;
    const to = cuts[i + 1]!;
    const covering = stretches.filter((s) => s.from <= from && s.to >= to);
    if (covering.length === 0) continue;
    const multiplier = Math.max(...covering.map((s) => s.multiplier));
    const incidents = covering.map((s) => s.incident);
    const prev = pieces[pieces.length - 1];
    if (prev && prev.to === from && prev.multiplier === multiplier) {
      prev.to = to;
      for (const id of incidents) if (!prev.incidents.includes(id)) prev.incidents.push(id);
    } else pieces.push({ from, to, multiplier, incidents });
  }
  return pieces;
}
