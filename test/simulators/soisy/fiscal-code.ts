/**
 * The simulator's own reading of the Italian fiscal code check character (written independently of
 * app/preapproval/fiscal-code.ts, so the app is checked against a second implementation).
 * Omocodia codes are checked as written (the check character covers the letters that replace digits).
 */
const ODD = "BAKPLCQDREVOSFTGUHMINJWZYX"; // value of A..Z / 0..9 in odd positions, by index of ODD letter
const ODD_DIGITS = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21];

function oddValue(c: string): number {
  if (c >= "0" && c <= "9") return ODD_DIGITS[c.charCodeAt(0) - 48]!;
  // ODD lists letters by ascending value: B=0, A=1, K=2, P=3, ...
  return ODD.indexOf(c);
}

function evenValue(c: string): number {
  return c >= "0" && c <= "9" ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 65;
}

export function fiscalCodeCheckCharOk(raw: string): boolean {
  const code = raw.toUpperCase();
  if (!/^[A-Z0-9]{16}$/.test(code)) return false;
  let sum = 0;
  for (let i = 0; i < 15; i++) sum += i % 2 === 0 ? oddValue(code[i]!) : evenValue(code[i]!);
  return String.fromCharCode(65 + (sum % 26)) === code[15];
}

/** POST /requests/{fiscalCode} answers 400 {errors: {postalCode: ["This postal code does not exist."]}} for it. */
export const UNKNOWN_POSTAL_CODE = "00000";
