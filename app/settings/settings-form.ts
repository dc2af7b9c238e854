/**
 * The settings page's forms: what the merchant typed (strings) → validated values, or field-level
 * errors as message keys (translated by the page in the merchant's language). Pure: no I/O.
 *
 * Amounts are decimal euro typed by hand: "150.50" or, as Italians write it, "150,50" (one comma,
 * no dot, no thousands separators), converted to cents exactly by string arithmetic.
 */
import { z } from "zod";
import type { MessageKey } from "~/i18n/messages";
import { FUND_ON_VALUES, MAX_AUTHORIZATION_DAYS } from "./authorization-days";
import { MAX_PENDING_EXPIRY_DAYS } from "./pending-expiry";
import { centsToDecimal, parseDecimalToCents } from "~/money/cents";
import { SOISY_MAX_INSTALMENTS, SOISY_MIN_INSTALMENTS } from "~/soisy/types";
import { AMOUNT_LIMITS, shopOptionsSchema, soisyCredentialsSchema, type ShopOptions, type ShopSettingsView } from "./settings.server";

/** ISO 3166-1 alpha-2 codes (officially assigned). */
export const ISO_COUNTRY_CODES: ReadonlySet<string> = new Set(
  (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
    "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
    "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
    "KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
    "MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
    "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG " +
    "UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
  ).split(" "),
);

export const OPTION_FIELDS = [
  "minAmount",
  "maxAmount",
  "integrationLevel",
  "resolveOn",
  "pendingExpiryDays",
  "zeroInterest",
  "widgetInstalments",
  "excludedProductTags",
  "excludeGiftCards",
  "allowedCountries",
  "autoResolveRefunds",
  "fundOn",
  "authorizationDays",
] as const;
export type OptionField = (typeof OPTION_FIELDS)[number];
/** The options form as typed (checkboxes: "on" when checked, "" otherwise). */
export type OptionsFormValues = Record<OptionField, string>;

export interface FieldError {
  key: MessageKey;
  params?: Record<string, string>;
}
export type FieldErrors<F extends string> = Partial<Record<F, FieldError>>;

export type FormResult<T, F extends string> = { ok: true; value: T } | { ok: false; errors: FieldErrors<F> };

/** The stored options as the form shows them. */
export function optionsToForm(options: ShopOptions): OptionsFormValues {
  return {
    minAmount: centsToDecimal(options.minAmountCents),
    maxAmount: centsToDecimal(options.maxAmountCents),
    integrationLevel: options.integrationLevel,
    resolveOn: options.resolveOn,
    pendingExpiryDays: String(options.pendingExpiryDays),
    zeroInterest: options.zeroInterest ? "on" : "",
    widgetInstalments: String(options.widgetInstalments),
    excludedProductTags: options.excludedProductTags.join(", "),
    excludeGiftCards: options.excludeGiftCards ? "on" : "",
    allowedCountries: options.allowedCountries.join(", "),
    autoResolveRefunds: options.autoResolveRefunds ? "on" : "",
    fundOn: options.fundOn,
    authorizationDays: String(options.authorizationDays),
  };
}

export function optionsOf(view: ShopSettingsView): ShopOptions {
  const { minAmountCents, maxAmountCents, integrationLevel, resolveOn, pendingExpiryDays, zeroInterest, widgetInstalments } = view;
  const { excludedProductTags, excludeGiftCards, allowedCountries, autoResolveRefunds, fundOn, authorizationDays } = view;
  return {
    minAmountCents,
    maxAmountCents,
    integrationLevel,
    resolveOn,
    pendingExpiryDays,
    zeroInterest,
    widgetInstalments,
    excludedProductTags,
    excludeGiftCards,
    allowedCountries,
    autoResolveRefunds,
    fundOn,
    authorizationDays,
  };
}

/** "150,50" → 15050; null when not an exact euro amount. */
export function parseEuroInput(raw: string): number | null {
  let text = raw.trim().replace(/^€\s*|\s*€$/g, "");
  const dot = text.lastIndexOf(".");
  const comma = text.lastIndexOf(",");
  if (dot >= 0 && comma >= 0) {
    // Both separators: the last one is the decimal mark, the other groups thousands ("15.000,00", "15,000.00").
    const at = Math.max(dot, comma);
    const group = at === dot ? "," : ".";
    const whole = text.slice(0, at);
    if (!new RegExp(`^\\d{1,3}(\\${group}\\d{3})+$`).test(whole)) return null;
    text = `${whole.split(group).join("")}.${text.slice(at + 1)}`;
  } else if (comma >= 0) {
    if (text.indexOf(",") !== comma) return null;
    text = text.replace(",", ".");
  }
  try {
    return parseDecimalToCents(text);
  } catch {
    return null;
  }
}

function splitList(raw: string): string[] {
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

const str = z.string().max(5000);
const integerIn = (min: number, max: number, key: MessageKey) =>
  str.transform((raw, ctx) => {
    const text = raw.trim();
    if (!/^\d{1,6}$/.test(text)) {
      ctx.addIssue({ code: "custom", message: "settings.error.integer" });
      return z.NEVER;
    }
    const n = Number(text);
    if (n < min || n > max) {
      ctx.addIssue({ code: "custom", message: key });
      return z.NEVER;
    }
    return n;
  });
const euro = str.transform((raw, ctx) => {
  const cents = parseEuroInput(raw);
  if (cents === null) {
    ctx.addIssue({ code: "custom", message: "settings.error.amountFormat" });
    return z.NEVER;
  }
  if (cents < AMOUNT_LIMITS.minCents || cents > AMOUNT_LIMITS.maxCents) {
    ctx.addIssue({ code: "custom", message: "settings.error.amountRange" });
    return z.NEVER;
  }
  return cents;
});
const checkbox = str.optional().transform((v) => v === "on" || v === "true" || v === "1");
const choice = <T extends string>(values: readonly [T, ...T[]]) =>
  z.enum(values, { error: () => ({ message: "settings.error.choice" }) });

/** Unknown codes are reported in the issue's message as "settings.error.countryUnknown|XX,YY". */
const countries = str.transform((raw, ctx) => {
  const codes = [...new Set(splitList(raw).map((c) => c.toUpperCase()))];
  if (codes.length === 0) {
    ctx.addIssue({ code: "custom", message: "settings.error.countriesEmpty" });
    return z.NEVER;
  }
  const unknown = codes.filter((c) => !ISO_COUNTRY_CODES.has(c));
  if (unknown.length > 0) {
    ctx.addIssue({ code: "custom", message: `settings.error.countryUnknown|${unknown.join(", ").slice(0, 200)}` });
    return z.NEVER;
  }
  if (codes.length > 50) {
    ctx.addIssue({ code: "custom", message: "settings.error.countriesTooMany" });
    return z.NEVER;
  }
  return codes;
});
const tags = str.transform((raw, ctx) => {
  const list = [...new Set(splitList(raw))];
  if (list.length > 100 || list.some((t) => t.length > 255)) {
    ctx.addIssue({ code: "custom", message: "settings.error.tags" });
    return z.NEVER;
  }
  return list;
});

export const optionsFormSchema = z
  .object({
    minAmount: euro,
    maxAmount: euro,
    integrationLevel: choice(["redirect", "preapproval"]),
    resolveOn: choice(["verified", "disbursed"]),
    // Shopify refuses a pending expiry past its limit (see MAX_PENDING_EXPIRY_DAYS).
    pendingExpiryDays: integerIn(1, MAX_PENDING_EXPIRY_DAYS, "settings.error.days"),
    zeroInterest: checkbox,
    widgetInstalments: integerIn(SOISY_MIN_INSTALMENTS, SOISY_MAX_INSTALMENTS, "settings.error.instalments"),
    excludedProductTags: tags,
    excludeGiftCards: checkbox,
    allowedCountries: countries,
    autoResolveRefunds: checkbox,
    fundOn: choice(FUND_ON_VALUES),
    // Shopify documents no maximum for authorizationExpiresAt; see MAX_AUTHORIZATION_DAYS.
    authorizationDays: integerIn(1, MAX_AUTHORIZATION_DAYS, "settings.error.authorizationDays"),
  })
  .superRefine((v, ctx) => {
    if (v.minAmount >= v.maxAmount) {
      ctx.addIssue({ code: "custom", path: ["minAmount"], message: "settings.error.minNotBelowMax" });
    }
  })
  .transform(
    (v): ShopOptions => ({
      minAmountCents: v.minAmount,
      maxAmountCents: v.maxAmount,
      integrationLevel: v.integrationLevel,
      resolveOn: v.resolveOn,
      pendingExpiryDays: v.pendingExpiryDays,
      zeroInterest: v.zeroInterest,
      widgetInstalments: v.widgetInstalments,
      excludedProductTags: v.excludedProductTags,
      excludeGiftCards: v.excludeGiftCards,
      allowedCountries: v.allowedCountries,
      autoResolveRefunds: v.autoResolveRefunds,
      fundOn: v.fundOn,
      authorizationDays: v.authorizationDays,
    }),
  )
  .pipe(shopOptionsSchema);

const AMOUNT_PARAMS = () => ({ min: centsToDecimal(AMOUNT_LIMITS.minCents), max: centsToDecimal(AMOUNT_LIMITS.maxCents) });

function issuesToErrors<F extends string>(issues: z.core.$ZodIssue[], fields: readonly F[]): FieldErrors<F> {
  const errors: FieldErrors<F> = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? "") as F;
    if (!fields.includes(field) || errors[field]) continue;
    const [rawKey = "", detail] = issue.message.split("|");
    // Messages from the domain schema (after the pipe) are not keys: map them to a generic one.
    const key = (rawKey.startsWith("settings.error.") ? rawKey : "settings.error.choice") as MessageKey;
    const params: Record<string, string> = key === "settings.error.amountRange" ? AMOUNT_PARAMS() : {};
    if (detail !== undefined) params.codes = detail;
    errors[field] = Object.keys(params).length ? { key, params } : { key };
  }
  return errors;
}

/** Reads the options form (raw strings as posted); first error per field. */
export function parseOptionsForm(raw: Record<string, unknown>): FormResult<ShopOptions, OptionField> {
  const input: Record<string, unknown> = {};
  for (const field of OPTION_FIELDS) {
    const v = raw[field];
    input[field] = typeof v === "string" ? v : field === "zeroInterest" || field === "excludeGiftCards" || field === "autoResolveRefunds" ? undefined : "";
  }
  const parsed = optionsFormSchema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, errors: issuesToErrors(parsed.error.issues, OPTION_FIELDS) };
}

/** Echo of what was typed (to show it back next to the errors). */
export function optionsFormEcho(raw: Record<string, unknown>): OptionsFormValues {
  const out = {} as OptionsFormValues;
  for (const field of OPTION_FIELDS) {
    const v = raw[field];
    out[field] = typeof v === "string" ? v.slice(0, 2000) : "";
  }
  return out;
}

export const CREDENTIAL_FIELDS = ["soisyShopId", "apiKey"] as const;
export type CredentialField = (typeof CREDENTIAL_FIELDS)[number];

const credentialsFormSchema = z.object({
  soisyShopId: z
    .string()
    .trim()
    .min(1, "settings.error.shopIdRequired")
    .max(100, "settings.error.shopIdFormat")
    .regex(/^[A-Za-z0-9_-]+$/, "settings.error.shopIdFormat")
    .pipe(soisyCredentialsSchema.shape.soisyShopId),
  apiKey: z.string().trim().max(500, "settings.error.apiKeyFormat"),
});

/**
 * Reads a credentials form. A blank apiKey means "keep the stored one": `apiKeyStored` tells whether
 * there is one to keep (otherwise the key is required).
 */
export function parseCredentialsForm(
  raw: Record<string, unknown>,
  apiKeyStored: boolean,
): FormResult<{ soisyShopId: string; apiKey: string | null }, CredentialField> {
  const parsed = credentialsFormSchema.safeParse({
    soisyShopId: typeof raw.soisyShopId === "string" ? raw.soisyShopId : "",
    apiKey: typeof raw.apiKey === "string" ? raw.apiKey : "",
  });
  if (!parsed.success) return { ok: false, errors: issuesToErrors(parsed.error.issues, CREDENTIAL_FIELDS) };
  const apiKey = parsed.data.apiKey === "" ? null : parsed.data.apiKey;
  if (!apiKey && !apiKeyStored) return { ok: false, errors: { apiKey: { key: "settings.error.apiKeyRequired" } } };
  return { ok: true, value: { soisyShopId: parsed.data.soisyShopId, apiKey } };
}
