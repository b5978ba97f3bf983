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
  // Any one part's header block can be oversized too: a line that starts like a header field
  // ("Name:") and runs on for 256 KB. Scanned in place, line by line, never as a copy of the
  // message (a 20 MiB message as a string is 20 MiB more for as long as the scan runs).
  return raw.length > SUSPICIOUS_HEADER_BYTES && hasOverlongFieldLine(raw);
}

const LF = 0x0a;
const COLON = 0x3a;

/** Same as /\n[\x21-\x39\x3b-\x7e]+:[^\n]{262144}/ on the bytes, without decoding them. */
function hasOverlongFieldLine(raw: Buffer): boolean {
  for (let lf = raw.indexOf(LF); lf >= 0; ) {
    const next = raw.indexOf(LF, lf + 1);
    const end = next < 0 ? raw.length : next;
    if (end - lf > SUSPICIOUS_HEADER_BYTES) {
      let i = lf + 1;
      while (i < end && raw[i]! >= 0x21 && raw[i]! <= 0x7e && raw[i] !== COLON) i++;
      if (i > lf + 1 && raw[i] === COLON && end - (i + 1) >= SUSPICIOUS_HEADER_BYTES) return true;
    }
    lf = next;
  }
  return false;
}
