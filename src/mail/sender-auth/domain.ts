/**
 * Domain helpers for identifier alignment (RFC 7489 §3.1). DMARC's organizational domain
 * is defined by the Public Suffix List (RFC 7489 §3.2); without a copy of that list here,
 * organizationalDomain approximates it: the registrable domain is the last two labels, or
 * the last three under a country-code TLD whose second level looks like a registry
 * (`com.cn`, `co.uk`, `bj.cn`, `ne.jp`). The approximation errs towards "not aligned"
 * for short second-level names under country codes, which sends mail to review rather
 * than approving it. Private suffixes (`github.io`-style) are not known.
 */
import { domainToASCII } from 'node:url';

/** Second-level labels that are registries under country-code TLDs (com.cn, org.uk…). */
const REGISTRY_LABELS = new Set([
  'com',
  'net',
  'org',
  'gov',
  'edu',
  'mil',
  'gob',
  'nic',
  'int',
  'ltd',
  'plc',
  'sch',
  'nom',
  'biz',
  'info',
]);

/** A domain in lower-case ASCII (IDNA), without a trailing dot; '' when it is not one. */
export function normalizeDomain(domain: string): string {
  const trimmed = domain.trim().replace(/\.$/, '').toLowerCase();
  if (trimmed === '' || trimmed.length > 253) return '';
  return domainToASCII(trimmed);
}

/** The domain of an address (after its last '@'), normalized; a bare domain is kept. */
export function domainOf(addressOrDomain: string | null | undefined): string {
  if (!addressOrDomain) return '';
  const bare = addressOrDomain.replace(/^<|>$/g, '');
  return normalizeDomain(bare.slice(bare.lastIndexOf('@') + 1));
}

/** The approximate organizational domain (see the file comment). */
export function organizationalDomain(domain: string): string {
  const labels = normalizeDomain(domain).split('.');
  if (labels.length <= 2) return labels.join('.');
  const tld = labels[labels.length - 1] as string;
  const second = labels[labels.length - 2] as string;
  const underRegistry = tld.length === 2 && (second.length <= 2 || REGISTRY_LABELS.has(second));
  return labels.slice(underRegistry ? -3 : -2).join('.');
}

/** Relaxed alignment (RFC 7489 §3.1.1, §3.1.2): the same organizational domain. */
export function relaxedAligned(a: string, b: string): boolean {
  const left = normalizeDomain(a);
  const right = normalizeDomain(b);
  if (left === '' || right === '') return false;
  return organizationalDomain(left) === organizationalDomain(right);
}
