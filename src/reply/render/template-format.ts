/**
 * Formatting for replies: money with grouping, local times, fault minutes and the
 * compensation formula per line. Everything comes out as a string; money never passes
 * through a binary float.
 */
import type { CompensationLine } from '../../domain/assess/types.ts';
import { decimal, formatMinor, minorDigitsOf, pow10, roundHalfUp } from '../../domain/money.ts';
import type { ReplyLang } from './language.ts';

/** '1234567.50' → '1,234,567.50'; the digits are the engine's, only commas are added. */
export function groupDigits(amount: string): string {
  const [int = '', frac] = amount.split('.');
  const sign = int.startsWith('-') ? '-' : '';
  const digits = sign ? int.slice(1) : int;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}${frac === undefined ? '' : `.${frac}`}`;
}

/**
 * 'CNY 1,234.50' in English; '1,234.50 元' in Simplified Chinese; '人民幣 1,234.50 元' in
 * Traditional, where 元 alone would read as the customer's own dollar (New Taiwan, Hong
 * Kong); '1,234.50 USD' in Chinese for any other currency.
 */
export function formatMoney(amount: string, currency: string, lang: ReplyLang): string {
  const grouped = groupDigits(amount);
  if (lang === 'en') return `${currency} ${grouped}`;
  if (currency !== 'CNY') return `${grouped} ${currency}`;
  return lang === 'zh-Hant' ? `人民幣 ${grouped} 元` : `${grouped} 元`;
}

/**
 * '2026-03-02T10:00:00+08:00' → '2026-03-02 10:00' (seconds only when not zero). The
 * engine already wrote the instant in the account's zone, so this only trims it.
 */
export function localTime(iso: string): string {
  const date = iso.slice(0, 10);
  const hm = iso.slice(11, 16);
  const seconds = iso.slice(17, 19);
  return seconds && seconds !== '00' ? `${date} ${hm}:${seconds}` : `${date} ${hm}`;
}

/** Fault minutes for display: whole when whole, else to two decimals (then marked inexact). */
export function faultMinutes(faultSeconds: number): { text: string; exact: boolean } {
  const scaled = BigInt(Math.round(faultSeconds * 1000)) * 100n; // ms × 100
  const centiMinutes = (scaled + 30_000n) / 60_000n; // half-up
  const exact = scaled % 60_000n === 0n;
  const whole = centiMinutes / 100n;
  const cents = centiMinutes % 100n;
  if (cents === 0n) return { text: whole.toString(), exact };
  return { text: `${whole}.${cents.toString().padStart(2, '0').replace(/0$/, '')}`, exact };
}

/**
 * One line of the compensation, as the customer can check it by hand:
 * `48.00 × 60 ÷ 1440 × 100 = 200.00`. The value is exact daily fee × fault time ×
 * multiplier ÷ one day, rounded half-up for display; '≈' says when display rounded it (the
 * total is rounded once by the engine, so lines rounded on their own may differ from it by
 * a minor unit).
 */
export function formulaOf(line: CompensationLine, currency: string): string {
  const fee = decimal(line.dailyFee);
  const ms = BigInt(Math.round(line.faultSeconds * 1000));
  const num = fee.units * ms * BigInt(line.multiplier);
  const den = pow10(fee.scale) * 86_400_000n;
  const digits = minorDigitsOf(currency);
  const value = formatMinor(roundHalfUp({ num, den }, digits), digits);
  const minutes = faultMinutes(line.faultSeconds);
  const exact = minutes.exact && (num * pow10(digits)) % den === 0n;
  return `${line.dailyFee} × ${minutes.text} ÷ 1440 × ${line.multiplier} ${exact ? '=' : '≈'} ${groupDigits(value)}`;
}

const DATE_LOCALE: Record<ReplyLang, string> = { en: 'en-GB', zh: 'zh-CN', 'zh-Hant': 'zh-TW' };

/** A calendar date for people: '4 March 2027' or '2027年3月4日', in the account's zone. */
export function longDate(at: number, timeZone: string, lang: ReplyLang): string {
  return new Intl.DateTimeFormat(DATE_LOCALE[lang], { dateStyle: 'long', timeZone }).format(
    new Date(at),
  );
}

/**
 * The ICP reward's last valid day: one year after receipt, computed as settlement writes
 * `valid_until` to the ledger (src/pipeline/settle.ts), shown as a date in the account's zone.
 */
export function oneYearAfter(at: number): number {
  const d = new Date(at);
  return d.setUTCFullYear(d.getUTCFullYear() + 1);
}

/** Control characters, line and paragraph separators, and bidirectional marks and overrides. */
const UNPRINTABLE = /[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]+/gu;

/**
 * Customer-controlled text (display name, subject) made safe for a one-line mention:
 * control characters and line breaks become spaces (no forged paragraphs in the text
 * part), bidirectional overrides go (they can make a name read as something else), runs
 * of spaces collapse, and the length is bounded.
 */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(UNPRINTABLE, ' ');
  const squeezed = flat.replace(/\s+/g, ' ').trim();
  const chars = [...squeezed];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : squeezed;
}
