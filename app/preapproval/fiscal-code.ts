/**
 * Italian fiscal code (codice fiscale) of a person: format and official check character (D.M.
 * 23/12/1976), including "omocodia" — when two people would get the same code, the Agenzia delle
 * Entrate replaces digits, from the right, with the letters L M N P Q R S T U V (0–9); such codes
 * are valid and their check character is computed on the code as written.
 *
 * Pure, no dependencies, shared by the browser (instant feedback) and the server (the real check).
 * Hand-written on purpose: the npm packages for this ("codice-fiscale-js" and friends) ship the
 * whole list of Italian municipalities (hundreds of KB) to compute or decode codes, which the app
 * does not need — it only checks a code the shopper typed; Soisy checks the person behind it.
 *
 * What is checked: 16 characters once spaces are removed and letters upper-cased; the shape
 * (6 letters, 2 digits of year, month letter, 2 digits of day 01–31 or 41–71, municipality letter +
 * 3 digits, check letter), where each digit may be its omocodia letter; and the check character.
 * Not checked: that the municipality exists or the date is a real calendar day beyond 1–31.
 */

const MONTHS = "ABCDEHLMPRST";
/** Omocodia letters for 0–9. */
const OMOCODIA = "LMNPQRSTUV";
/** Positions (0-based) of the digits that omocodia may replace. */
const DIGIT_POSITIONS = [6, 7, 9, 10, 12, 13, 14] as const;

/** Values of a character in an odd position (1st, 3rd, … — 0-based even index). */
const ODD_VALUES: Record<string, number> = {
  "0": 1, "1": 0, "2": 5, "3": 7, "4": 9, "5": 13, "6": 15, "7": 17, "8": 19, "9": 21,
  A: 1, B: 0, C: 5, D: 7, E: 9, F: 13, G: 15, H: 17, I: 19, J: 21, K: 2, L: 4, M: 18,
  N: 20, O: 11, P: 3, Q: 6, R: 8, S: 12, T: 14, U: 16, V: 10, W: 22, X: 25, Y: 24, Z: 23,
};

function evenValue(c: string): number {
  return /[0-9]/.test(c) ? Number(c) : c.charCodeAt(0) - 65;
}

export type FiscalCodeProblem = "empty" | "length" | "format" | "check";

export type FiscalCodeResult =
  | { ok: true; value: string; omocode: boolean }
  | { ok: false; problem: FiscalCodeProblem };

/** Upper case, spaces and dashes removed (what the shopper meant). */
export function normalizeFiscalCode(raw: string): string {
  return raw.replace(/[\s-]/g, "").toUpperCase();
}

/** The check character of the first 15 characters (upper case, any valid shape). */
export function fiscalCodeCheckChar(first15: string): string {
  const s = first15.toUpperCase();
  if (!/^[A-Z0-9]{15}$/.test(s)) throw new Error("fiscalCodeCheckChar needs 15 letters or digits");
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = s[i]!;
    sum += i % 2 === 0 ? ODD_VALUES[c]! : evenValue(c);
  }
  return String.fromCharCode(65 + (sum % 26));
}

/** The code with each omocodia letter turned back into its digit. */
export function deOmocode(code: string): string {
  const chars = code.split("");
  for (const i of DIGIT_POSITIONS) {
    const at = OMOCODIA.indexOf(chars[i] ?? "");
    if (at >= 0) chars[i] = String(at);
  }
  return chars.join("");
}

/** Replaces the digits at the last `n` omocodia positions with their letters (for tests and docs). */
export function omocode(code: string, n: number): string {
  const chars = code.slice(0, 15).split("");
  for (const i of [...DIGIT_POSITIONS].reverse().slice(0, n)) chars[i] = OMOCODIA[Number(chars[i])] ?? chars[i]!;
  const first15 = chars.join("");
  return first15 + fiscalCodeCheckChar(first15);
}

const SHAPE = new RegExp(`^[A-Z]{6}[0-9]{2}[${MONTHS}](?:[0-3][0-9]|[4-7][0-9])[A-Z][0-9]{3}[A-Z]$`);
const LOOSE_SHAPE = new RegExp(`^[A-Z]{6}[0-9${OMOCODIA}]{2}[A-Z][0-9${OMOCODIA}]{2}[A-Z][0-9${OMOCODIA}]{3}[A-Z]$`);

export function checkFiscalCode(raw: string): FiscalCodeResult {
  const code = normalizeFiscalCode(raw);
  if (code.length === 0) return { ok: false, problem: "empty" };
  if (code.length !== 16) return { ok: false, problem: "length" };
  if (!LOOSE_SHAPE.test(code)) return { ok: false, problem: "format" };
  const plain = deOmocode(code);
  if (!SHAPE.test(plain)) return { ok: false, problem: "format" };
  const day = Number(plain.slice(9, 11));
  if (!((day >= 1 && day <= 31) || (day >= 41 && day <= 71))) return { ok: false, problem: "format" };
  if (fiscalCodeCheckChar(code.slice(0, 15)) !== code[15]) return { ok: false, problem: "check" };
  return { ok: true, value: code, omocode: plain !== code };
}

/** Completes 15 characters with their check character. */
export function withCheckChar(first15: string): string {
  const s = first15.toUpperCase();
  return s + fiscalCodeCheckChar(s);
}
