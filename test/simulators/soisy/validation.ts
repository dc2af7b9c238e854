/**
 * Field validation the way Soisy answers it: 400 `{"errors": {"field": ["message", ...]}}`.
 * Written independently of app/soisy/types.ts on purpose, so the client's own checks are tested
 * against a second implementation of the spec rather than against themselves.
 *
 * Bodies may be form-encoded (every value a string) or JSON (typed values): every reader accepts both.
 * Empty strings count as "not sent" for optional fields.
 */

export type FieldErrors = Record<string, string[]>;
export type RawBody = Record<string, unknown>;

export class FieldCollector {
  readonly errors: FieldErrors = {};
  add(field: string, message: string): void {
    (this.errors[field] ??= []).push(message);
  }
  get ok(): boolean {
    return Object.keys(this.errors).length === 0;
  }
}

const BLANK = "This value should not be blank.";

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== "";
}

export function readString(
  raw: RawBody,
  name: string,
  errs: FieldCollector,
  opts: { required?: boolean; pattern?: RegExp; message?: string; max?: number } = {},
): string | undefined {
  const value = raw[name];
  if (!present(value)) {
    if (opts.required) errs.add(name, BLANK);
    return undefined;
  }
  if (typeof value !== "string" && typeof value !== "number") {
    errs.add(name, "This value should be of type string.");
    return undefined;
  }
  const str = String(value);
  const max = opts.max ?? 255;
  if (str.length > max) {
    errs.add(name, `This value is too long. It should have ${max} characters or less.`);
    return undefined;
  }
  if (opts.pattern && !opts.pattern.test(str)) {
    errs.add(name, opts.message ?? "This value is not valid.");
    return undefined;
  }
  return str;
}

export function readInt(
  raw: RawBody,
  name: string,
  errs: FieldCollector,
  opts: { required?: boolean; min?: number; max?: number; message?: string } = {},
): number | undefined {
  const value = raw[name];
  if (!present(value)) {
    if (opts.required) errs.add(name, BLANK);
    return undefined;
  }
  let n: number | undefined;
  if (typeof value === "number" && Number.isSafeInteger(value)) n = value;
  else if (typeof value === "string" && /^-?[0-9]{1,16}$/.test(value)) n = Number(value);
  if (n === undefined || !Number.isSafeInteger(n)) {
    errs.add(name, opts.message ?? "This value should be an integer.");
    return undefined;
  }
  if (opts.min !== undefined && n < opts.min) {
    errs.add(name, opts.message ?? `This value should be ${opts.min} or more.`);
    return undefined;
  }
  if (opts.max !== undefined && n > opts.max) {
    errs.add(name, opts.message ?? `This value should be ${opts.max} or less.`);
    return undefined;
  }
  return n;
}

const TRUE = new Set(["1", "true", "on", "yes"]);
const FALSE = new Set(["0", "false", "off", "no"]);

export function readBool(
  raw: RawBody,
  name: string,
  errs: FieldCollector,
  opts: { required?: boolean } = {},
): boolean | undefined {
  const value = raw[name];
  if (!present(value)) {
    if (opts.required) errs.add(name, BLANK);
    return undefined;
  }
  if (typeof value === "boolean") return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === "string") {
    const v = value.toLowerCase();
    if (TRUE.has(v)) return true;
    if (FALSE.has(v)) return false;
  }
  errs.add(name, "This value should be a boolean.");
  return undefined;
}

export function readUrl(raw: RawBody, name: string, errs: FieldCollector, opts: { required?: boolean } = {}): string | undefined {
  const str = readString(raw, name, errs, { ...opts, max: 2048 });
  if (str === undefined) return undefined;
  try {
    const url = new URL(str);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
    return str;
  } catch {
    errs.add(name, "This value is not a valid URL.");
    return undefined;
  }
}

export function readEnum<T extends string>(
  raw: RawBody,
  name: string,
  values: readonly T[],
  errs: FieldCollector,
  opts: { required?: boolean } = {},
): T | undefined {
  const str = readString(raw, name, errs, opts);
  if (str === undefined) return undefined;
  if (!(values as readonly string[]).includes(str)) {
    errs.add(name, "The value you selected is not a valid choice.");
    return undefined;
  }
  return str as T;
}

export const PATTERNS = {
  email: /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/,
  mobilePhone: /^[0-9]{6,15}$/,
  countryCallingCode: /^\+[0-9]{1,4}$/,
  fiscalCode: /^[A-Za-z0-9]{16}$/,
  vatId: /^[0-9]{11}$/,
  vatCountry: /^[A-Z]{2}$/,
  province: /^[A-Z]{2}$/,
  postalCode: /^[0-9]{5}$/,
  monthYear: /^(0[1-9]|1[0-2])\/[0-9]{4}$/,
} as const;

export const MESSAGES = {
  email: "This value is not a valid email address.",
  mobilePhone: "The mobile phone must contain only digits, without the +39 prefix.",
  countryCallingCode: 'The country calling code must look like "+39".',
  fiscalCode: "The fiscal code must be 16 characters long.",
  vatId: "The VAT id must be 11 digits.",
  vatCountry: "The VAT country must be 2 uppercase letters.",
  province: "The province must be 2 uppercase letters.",
  postalCode: "The postal code must be 5 digits.",
  amount: "The amount must be a positive integer number of euro cents.",
  monthYear: "The date must be in the MM/YYYY format.",
} as const;

export const JOB_DESCRIPTIONS = [
  "student",
  "retired",
  "unemployed",
  "inheritance",
  "entrepreneur",
  "self_employed",
  "seasonal_worker",
  "freelance_professional",
  "employee_open_ended_contract",
  "employee_fixed_term_contract",
] as const;

export const CITIZENSHIPS = ["italian", "eu", "outside_eu"] as const;

export function readAmount(raw: RawBody, errs: FieldCollector, required: boolean): number | undefined {
  return readInt(raw, "amount", errs, { required, min: 1, max: Number.MAX_SAFE_INTEGER, message: MESSAGES.amount });
}

export function readInstalments(raw: RawBody, errs: FieldCollector, max: number, required: boolean): number | undefined {
  return readInt(raw, "instalments", errs, {
    required,
    min: 3,
    max,
    message: `The number of instalments must be an integer between 3 and ${max}.`,
  });
}

export function readPattern(
  raw: RawBody,
  name: keyof typeof PATTERNS & keyof typeof MESSAGES,
  errs: FieldCollector,
  required = false,
): string | undefined {
  return readString(raw, name, errs, { required, pattern: PATTERNS[name], message: MESSAGES[name] });
}
