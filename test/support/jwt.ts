/** HS256 JSON Web Tokens (RFC 7519) for tests: what a token endpoint issues and Dovecot checks. */
import { createHmac } from 'node:crypto';

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

export function signHs256(claims: Record<string, unknown>, key: Buffer, kid: string): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}
