/**
 * The world of the settled-readings tests: demo-shop (contact it@demo-shop.test, CNY, one
 * monthly ECS host at 48.00/day), another account other-co, and claims received 2026-03-04
 * 09:00 (+08:00) unless said. Thirty minutes of an `unavailable` fault on the host pay
 * 100.00, an hour 200.00.
 */
import { otherCo } from '../support/assess-cases.ts';
import { baseRecords, incident, type RawRecords } from '../support/builders.ts';

/** demo-shop, other-co, one-hour faults on 27 February and 2 March 14:00, and `more`. */
export function world(more: RawRecords = {}): Required<RawRecords> {
  const base = baseRecords();
  return {
    ...base,
    accounts: [...base.accounts, otherCo()],
    incidents: [
      incident('INC-0227', '2026-02-27T14:00:00+08:00', '2026-02-27T15:00:00+08:00'),
      incident('INC-0302', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00'),
    ],
    ...more,
  };
}
