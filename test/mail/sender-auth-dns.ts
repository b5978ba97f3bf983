/** A stub DNS for sender-authentication tests, and DKIM keys to publish in it. */
import { generateKeyPairSync } from 'node:crypto';

/** Records by `RRTYPE:name`, e.g. `{ 'TXT:example.com': [['v=spf1 ip4:192.0.2.1 -all']] }`. */
export type DnsZone = Record<string, unknown[]>;

export interface StubResolver {
  (name: string, rrtype: string): Promise<unknown>;
  /** Every question asked, as `RRTYPE:name`, in order. */
  readonly asked: string[];
}

/** An Error shaped like node:dns's, with its `code`. */
export function dnsError(code: string, name: string): Error {
  return Object.assign(new Error(`query ${code} ${name}`), { code, hostname: name });
}

/**
 * A resolver answering from `zone`, mailauth's signature. A name with no records fails
 * with ENOTFOUND, as node:dns does for NXDOMAIN; mailauth reads that as "no record".
 */
export function stubResolver(zone: DnsZone): StubResolver {
  const asked: string[] = [];
  const resolve = async (name: string, rrtype: string): Promise<unknown> => {
    const key = `${rrtype.toUpperCase()}:${name.toLowerCase().replace(/\.$/, '')}`;
    asked.push(key);
    const records = zone[key];
    if (records === undefined || records.length === 0) throw dnsError('ENOTFOUND', name);
    return records;
  };
  return Object.assign(resolve, { asked });
}

/** A resolver whose every answer is the error `code` (ETIMEOUT, ESERVFAIL…): DNS is down. */
export function failingResolver(code = 'ESERVFAIL'): StubResolver {
  const asked: string[] = [];
  const resolve = async (name: string, rrtype: string): Promise<unknown> => {
    asked.push(`${rrtype}:${name}`);
    throw dnsError(code, name);
  };
  return Object.assign(resolve, { asked });
}

/** A resolver that never answers. */
export function silentResolver(): StubResolver {
  return Object.assign(() => new Promise<unknown>(() => {}), { asked: [] as string[] });
}

export interface DkimKey {
  /** PKCS#8 PEM, for mailauth's dkimSign. */
  privateKey: string;
  /** The selector's TXT record (RFC 6376 §3.6.1), as TXT chunks of at most 255 characters. */
  record: string[];
}

/** A fresh RSA 2048 DKIM key pair. */
export function rsaDkimKey(): DkimKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const text = `v=DKIM1; k=rsa; p=${p}`;
  const record: string[] = [];
  for (let i = 0; i < text.length; i += 255) record.push(text.slice(i, i + 255));
  return { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), record };
}
