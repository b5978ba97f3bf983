/**
 * The part of a body the customer wrote now: quoted earlier messages are cut, so a time
 * or an account in a quoted reply ("On 20 Nov 2026 10:15, X wrote:") is not read as a claim.
 * Bounded, so hostile bodies cost linear time at most.
 */

/** Extraction reads at most this much of a body. */
export const MAX_BODY_CHARS = 64 * 1024;

const QUOTE_HEADERS = [
  /^-{2,}\s*(?:original message|forwarded message)\s*-{2,}/i,
  // Also as Traditional writes them (原始郵件): the reply stage reads the body unconverted.
  /^-{2,}\s*原始[邮郵]件\s*-{2,}/,
  /^_{5,}\s*$/,
  // Outlook writes 寄件者 in Traditional Chinese (寄件人 in some versions).
  /^(?:from|发件人|寄件者|寄件人)\s*[:：].{0,300}$/i,
];

/**
 * "On <date>, <who> wrote:": never the customer's words, and it holds a date and time. In
 * Chinese 在 … 写道：, and Traditional clients' 於 … 寫道： (于 … 写道： once read as Simplified).
 */
const ATTRIBUTIONS = [/^on\b.{0,200}\bwrote:\s*$/i, /^(?:在|於|于)\s*.{0,200}[写寫]道[:：]\s*$/];

function isAttribution(text: string): boolean {
  return ATTRIBUTIONS.some((re) => re.test(text));
}

export function mainBody(text: string): string {
  const bounded = text.length > MAX_BODY_CHARS ? text.slice(0, MAX_BODY_CHARS) : text;
  const lines = bounded.split(/\r?\n/);
  const kept: string[] = [];
  let kept0 = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const trimmed = line.trim();
    if (trimmed.startsWith('>')) continue;
    // An attribution line, or one wrapped onto a second line by the mail client.
    const attributionLines = isAttribution(trimmed)
      ? 1
      : i + 1 < lines.length && isAttribution(`${trimmed} ${(lines[i + 1] ?? '').trim()}`)
        ? 2
        : 0;
    if (attributionLines > 0) {
      // After the customer's own words it starts the quoted message; before them (a reply
      // written below the quote) only the attribution itself is left out.
      if (kept0) break;
      i += attributionLines - 1;
      continue;
    }
    // A quote header only counts once the customer has written something of their own.
    if (kept0 && QUOTE_HEADERS.some((re) => re.test(trimmed))) break;
    if (trimmed !== '') kept0 = true;
    kept.push(line);
  }
  return kept.join('\n');
}
