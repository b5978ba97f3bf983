/**
 * Exact money. Amounts are decimal strings at the edges and exact rationals inside:
 * a `Decimal` is an integer count of 10^-scale units, a `Ratio` is numerator/denominator
 * in bigint. Rounding happens once, half-up, to the currency's minor unit.
 */

export interface Decimal {
  units: bigint;
  scale: number;
}

export interface Ratio {
  num: bigint;
  den: bigint;
}

const DECIMAL = /^(-)?(\d{1,30})(?:\.(\d{1,12}))?$/;

/** Parses '1234.50' exactly; undefined for anything else (no exponents, no floats). */
export function parseDecimal(text: unknown): Decimal | undefined {
  if (typeof text !== 'string') return undefined;
  const m = DECIMAL.exec(text.trim());
  if (!m) return undefined;
  const frac = m[3] ?? '';
  const units = BigInt(`${m[2]}${frac}`);
  return { units: m[1] ? -units : units, scale: frac.length };
}

/** Like parseDecimal but throws; for values already validated at the boundary. */
export function decimal(text: string): Decimal {
  const d = parseDecimal(text);
  if (!d) throw new RangeError(`not a decimal: ${text}`);
  return d;
}

export function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

export function ratioOf(d: Decimal): Ratio {
  return { num: d.units, den: pow10(d.scale) };
}

export function addRatio(a: Ratio, b: Ratio): Ratio {
  if (a.den === b.den) return { num: a.num + b.num, den: a.den };
  return { num: a.num * b.den + b.num * a.den, den: a.den * b.den };
}

export function mulRatio(a: Ratio, k: bigint, div = 1n): Ratio {
  return { num: a.num * k, den: a.den * div };
}

export function compareRatio(a: Ratio, b: Ratio): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

export const ZERO: Ratio = { num: 0n, den: 1n };

/**
 * Rounds a ratio half-up (away from zero on exact halves) to integer minor units.
 * This is the only rounding step in the engine.
 */
export function roundHalfUp(r: Ratio, minorDigits: number): bigint {
  const sign = (r.num < 0n ? -1n : 1n) * (r.den < 0n ? -1n : 1n);
  const n = (r.num < 0n ? -r.num : r.num) * pow10(minorDigits);
  const d = r.den < 0n ? -r.den : r.den;
  const q = n / d;
  const rounded = (n - q * d) * 2n >= d ? q + 1n : q;
  return sign * rounded;
}

/** Formats integer minor units as a decimal string: 12345n, 2 → '123.45'; JPY 0 → '12345'. */
export function formatMinor(units: bigint, minorDigits: number): string {
  const negative = units < 0n;
  const abs = (negative ? -units : units).toString().padStart(minorDigits + 1, '0');
  const int = abs.slice(0, abs.length - minorDigits);
  const frac = minorDigits > 0 ? `.${abs.slice(abs.length - minorDigits)}` : '';
  return `${negative ? '-' : ''}${int}${frac}`;
}

/** Converts a decimal to integer minor units, rounding half-up only if it has more digits. */
export function toMinor(d: Decimal, minorDigits: number): bigint {
  return roundHalfUp(ratioOf(d), minorDigits);
}

const minorCache = new Map<string, number>();

/** Digits of the currency's minor unit (CNY 2, JPY 0, KWD 3), from ICU's ISO 4217 data. */
export function minorDigitsOf(currency: string): number {
  let digits = minorCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits as number;
    minorCache.set(currency, digits);
  }
  return digits;
}

/** True for a well-formed ISO 4217 code ICU knows. */
export function isCurrency(code: unknown): code is string {
  if (typeof code !== 'string' || !/^[A-Z]{3}$/.test(code)) return false;
  return Intl.supportedValuesOf('currency').includes(code);
}

/** A decimal string (e.g. PostgreSQL's numeric '100.0000') printed with the currency's minor digits. */
export function formatAmount(text: string, currency: string): string {
  const d = parseDecimal(text);
  if (!d || !isCurrency(currency)) return text;
  const digits = minorDigitsOf(currency);
  return formatMinor(toMinor(d, digits), digits);
}
