/**
 * Whether a message must be quarantined as unparseable, decided cheaply. A full MIME parse
 * per message would cost the poller ~40% of its time, and its result is thrown away (the
 * worker parses again to assess). mailparser rejects messages for structural limits only:
 * too many MIME nodes, or a header block too large. A linear scan finds the candidates;
 * only those are parsed to confirm. A message that passes here and still trips the parser
 * later is decided by the worker from the bounded fallback reading, never lost.
 */
import { parseEmail } from '../mail/parse.ts';

/** Far below mailparser's limits (1,000 nodes, 1 MB header), so a miss is impossible. */
const SUSPICIOUS_BOUNDARY_LINES = 500;
const SUSPICIOUS_HEADER_BYTES = 256 * 1024;

export async function unparseableReason(raw: Buffer): Promise<string | null> {
  if (!looksSuspicious(raw)) return null;
  return (await parseEmail(raw)).parseError;
}

export function looksSuspicious(raw: Buffer): boolean {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const headerEndLf = raw.indexOf('\n\n');
  const end = Math.min(
    headerEnd < 0 ? raw.length : headerEnd,
    headerEndLf < 0 ? raw.length : headerEndLf,
  );
  if (end > SUSPICIOUS_HEADER_BYTES) return true;
  let lines = 0;
  for (let i = raw.indexOf('\n--'); i >= 0; i = raw.indexOf('\n--', i + 3)) {
    if (++lines > SUSPICIOUS_BOUNDARY_LINES) return true;
  }
  // Any one part's header block can be oversized too; look for long runs without a blank line
  // only when the message is big enough to hold one.
  return (
    raw.length > SUSPICIOUS_HEADER_BYTES &&
    /\n[\x21-\x39\x3b-\x7e]+:[^\n]{262144}/.test(raw.toString('latin1'))
  );
}
