/**
 * Order ids of a refund request: a label (order, orders, order id, 订单, 订单号)
 * followed by ids separated by commas, spaces, '、' or ';'; without a label, tokens
 * equal to known order ids.
 */
import type { RecordLookup } from '../record-index.ts';

// A label word ("id", "no", "number") must end where the id begins: in "order No2026001"
// the id is "No2026001", not "2026001".
const LABEL =
  /(?<![A-Za-z])(?:orders?(?:\s*(?:(?:ids?|nos?|numbers?)(?![A-Za-z0-9_-])\.?|#))?|订单(?:号|编号)?)\s*[:：#=]?\s*/gi;
const SEPARATOR = /^\s*(?:[,，;；、/]|and|&|和)?\s*/i;
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]*/;

/** Ids in request order, without repeats; at most `limit` are read after each label. */
export function findOrders(text: string, index: RecordLookup, limit = 50): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(LABEL)) {
    let rest = text.slice((m.index ?? 0) + m[0].length, (m.index ?? 0) + m[0].length + 2000);
    for (let n = 0; n < limit; n++) {
      const id = ID.exec(rest)?.[0];
      // An id the records know, or one with a digit in it: a word ends the list.
      if (!id || !(index.order(id) || /\d/.test(id))) break;
      const canonical = index.order(id)?.id ?? id;
      if (!found.includes(canonical)) found.push(canonical);
      rest = rest.slice(id.length);
      const sep = SEPARATOR.exec(rest)?.[0] ?? '';
      if (sep === '') break;
      rest = rest.slice(sep.length);
    }
  }
  return found.length > 0 ? found : index.knownOrdersIn(text);
}
