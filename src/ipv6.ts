/** IPv6 addresses as numbers, for the CIDR checks of TRUST_PROXY and the sign-in limits' /64. */

/**
 * The eight 16-bit groups of an address isIP() accepts as IPv6: `::` expanded, an IPv4 tail
 * (`::ffff:1.2.3.4`) turned into two groups, a zone (`%eth0`) dropped.
 */
export function ipv6Groups(address: string): number[] {
  let text = address.replace(/%.*$/, '').toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - front.length - back.length).fill('0');
  return [...front, ...zeros, ...back].map((g) => Number.parseInt(g, 16));
}

/** The address as one 128-bit number. */
export function ipv6Value(address: string): bigint {
  return ipv6Groups(address).reduce((n, g) => (n << 16n) | BigInt(g), 0n);
}
