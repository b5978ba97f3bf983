/**
 * Pairs two lists item by item, for lists that must be as long as each other (a split gives
 * one part per share, in order). A length mismatch is a bug upstream: it throws rather than
 * pair an item with nothing.
 */
export function zip<A, B>(as: Iterable<A>, bs: Iterable<B>): [A, B][] {
  const out: [A, B][] = [];
  const rest = bs[Symbol.iterator]();
  for (const a of as) {
    const b = rest.next();
    if (b.done) throw new RangeError('zip: the second list is shorter');
    out.push([a, b.value]);
  }
  if (!rest.next().done) throw new RangeError('zip: the second list is longer');
  return out;
}
