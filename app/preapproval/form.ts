/**
 * The in-store pre-approval form (integration level 2): its fields, their validation and the
 * mapping of Soisy's 400 field errors onto them. Pure and shared by the browser (instant feedback,
 * progressive enhancement) and the server (the real check): error codes, never texts — the page
 * turns them into Italian or English with app/i18n.
 *
 * Field names are Soisy's own (POST /requests + POST /requests/{fiscalCode}), so a Soisy field
 * error lands on the field of the same name; the few aliases Soisy may use are in SOISY_ALIASES.
 *
 * Values of the "additional data" fields (residence, educationalQualification, salaryType) are NOT
 * published by Soisy: the ones below are plausible guesses written down as such (see README,
 * "In-store pre-approval") and must be checked against Soisy's sandbox before going live.
 */
import { checkFiscalCode, normalizeFiscalCode } from "./fiscal-code";

export const JOB_DESCRIPTIONS = [
  "employee_open_ended_contract",
  "employee_fixed_term_contract",
  "self_employed",
  "freelance_professional",
  "entrepreneur",
  "seasonal_worker",
  "retired",
  "student",
  "unemployed",
  "inheritance",
] as const;
export type JobDescription = (typeof JOB_DESCRIPTIONS)[number];

export const CITIZENSHIPS = ["italian", "eu", "outside_eu"] as const;
/** Uncertain values (Soisy does not publish them). */
export const RESIDENCES = ["owner", "rent", "family", "other"] as const;
export const EDUCATIONS = ["middle_school", "high_school", "degree", "postgraduate"] as const;
export const SALARY_TYPES = ["salary", "pension", "self_employed_income", "other"] as const;

/** The instalment counts offered (Soisy allows 3–60; the shop's maximum applies too). */
export const INSTALMENT_CHOICES = [3, 6, 10, 12, 18, 24, 30, 36, 48, 60] as const;

export const BASE_FIELDS = [
  "instalments",
  "fiscalCode",
  "jobDescription",
  "actualJobEndingDate",
  "vatId",
  "firstname",
  "lastname",
  "email",
  "mobilePhone",
  "address",
  "civicNumber",
  "postalCode",
  "city",
  "province",
  "citizenship",
  "privacy",
  "marketing",
] as const;
export const ADDITIONAL_FIELDS = ["residence", "residenceStartDate", "educationalQualification", "children", "salaryType"] as const;
export const FORM_FIELDS = [...BASE_FIELDS, ...ADDITIONAL_FIELDS] as const;
export type FormField = (typeof FORM_FIELDS)[number];

export type FormValues = Partial<Record<FormField, string>>;

/** What is wrong with a field; the page words it in the shopper's language. */
export type FieldProblem =
  | "required"
  | "invalid"
  | "fiscalCodeLength"
  | "fiscalCodeFormat"
  | "fiscalCodeCheck"
  | "monthYear"
  | "vatId"
  | "email"
  | "mobilePhone"
  | "postalCode"
  | "postalCodeUnknown"
  | "province"
  | "privacy"
  | "children"
  | "instalments"
  | "soisyRejected";

export type FieldErrors = Partial<Record<FormField, FieldProblem>>;

const MONTH_YEAR = /^(0[1-9]|1[0-2])\/[0-9]{4}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Reads a form post (or FormData-like entries) into string values of the known fields only. */
export function readForm(entries: Iterable<[string, unknown]>): FormValues {
  const out: FormValues = {};
  const known = new Set<string>(FORM_FIELDS);
  for (const [key, value] of entries) {
    if (!known.has(key) || typeof value !== "string") continue;
    out[key as FormField] = value.slice(0, 300);
  }
  return out;
}

/** "+39 333 123 4567" / "0039…" / "333-1234567" → "3331234567". */
export function normalizeMobile(raw: string): string {
  const compact = raw.replace(/[\s\-./()]/g, "");
  return compact.replace(/^(?:\+39|0039)/, "");
}

export interface ValidateOptions {
  /** The instalment counts offered on the page (server: from Soisy's shop info). */
  instalmentChoices?: readonly number[];
  /** Soisy asked for the additional fields. */
  additional?: boolean;
}

/** The form's own rules (Soisy may still refuse a value: see soisyErrorsToForm). */
export function validateForm(values: FormValues, options: ValidateOptions = {}): FieldErrors {
  const errors: FieldErrors = {};
  const v = (f: FormField) => (values[f] ?? "").trim();
  const need = (f: FormField) => {
    if (!v(f)) errors[f] = "required";
    return !!v(f);
  };

  const n = Number(v("instalments"));
  const choices = options.instalmentChoices ?? INSTALMENT_CHOICES;
  if (!v("instalments")) errors.instalments = "required";
  else if (!Number.isInteger(n) || !choices.includes(n)) errors.instalments = "instalments";

  const fc = checkFiscalCode(values.fiscalCode ?? "");
  if (!fc.ok) {
    errors.fiscalCode = fc.problem === "empty" ? "required" : fc.problem === "length" ? "fiscalCodeLength" : fc.problem === "format" ? "fiscalCodeFormat" : "fiscalCodeCheck";
  }

  const job = v("jobDescription");
  if (need("jobDescription") && !(JOB_DESCRIPTIONS as readonly string[]).includes(job)) errors.jobDescription = "invalid";
  if (job === "employee_fixed_term_contract" && need("actualJobEndingDate") && !MONTH_YEAR.test(v("actualJobEndingDate"))) {
    errors.actualJobEndingDate = "monthYear";
  }
  if (job === "entrepreneur" && need("vatId") && !/^[0-9]{11}$/.test(v("vatId").replace(/\s/g, ""))) errors.vatId = "vatId";

  for (const f of ["firstname", "lastname", "address", "city"] as const) if (need(f) && v(f).length > 100) errors[f] = "invalid";
  if (need("email") && !EMAIL.test(v("email"))) errors.email = "email";
  if (need("mobilePhone") && !/^[0-9]{6,15}$/.test(normalizeMobile(v("mobilePhone")))) errors.mobilePhone = "mobilePhone";
  if (need("civicNumber") && v("civicNumber").length > 20) errors.civicNumber = "invalid";
  if (need("postalCode") && !/^[0-9]{5}$/.test(v("postalCode"))) errors.postalCode = "postalCode";
  if (need("province") && !/^[A-Za-z]{2}$/.test(v("province"))) errors.province = "province";
  if (need("citizenship") && !(CITIZENSHIPS as readonly string[]).includes(v("citizenship"))) errors.citizenship = "invalid";
  if (v("privacy") !== "on") errors.privacy = "privacy";

  if (options.additional) {
    if (need("residence") && !(RESIDENCES as readonly string[]).includes(v("residence"))) errors.residence = "invalid";
    if (need("residenceStartDate") && !MONTH_YEAR.test(v("residenceStartDate"))) errors.residenceStartDate = "monthYear";
    if (need("educationalQualification") && !(EDUCATIONS as readonly string[]).includes(v("educationalQualification"))) errors.educationalQualification = "invalid";
    if (need("children") && !/^[0-9]{1,2}$/.test(v("children"))) errors.children = "children";
    if (need("salaryType") && !(SALARY_TYPES as readonly string[]).includes(v("salaryType"))) errors.salaryType = "invalid";
  }
  return errors;
}

/** The two Soisy calls' inputs from valid form values (amount and order token added by the caller). */
export function soisyInputs(values: FormValues, options: { additional: boolean }) {
  const v = (f: FormField) => (values[f] ?? "").trim();
  const job = v("jobDescription") as JobDescription;
  const request = {
    instalments: Number(v("instalments")),
    privacy: true as const,
    marketing: v("marketing") === "on",
    fiscalCode: normalizeFiscalCode(v("fiscalCode")),
    jobDescription: job,
    ...(job === "employee_fixed_term_contract" ? { actualJobEndingDate: v("actualJobEndingDate") } : {}),
    ...(job === "entrepreneur" ? { vatId: v("vatId").replace(/\s/g, ""), vatCountry: "IT" } : {}),
  };
  const approval = {
    instalments: request.instalments,
    loanFinality: "ecommerce_shop" as const,
    email: v("email"),
    firstname: v("firstname"),
    lastname: v("lastname"),
    mobilePhone: normalizeMobile(v("mobilePhone")),
    countryCallingCode: "+39",
    city: v("city"),
    province: v("province").toUpperCase(),
    address: v("address").replace(/,/g, " ").replace(/\s+/g, " "),
    civicNumber: v("civicNumber"),
    postalCode: v("postalCode"),
    citizenship: v("citizenship") as (typeof CITIZENSHIPS)[number],
    ...(options.additional
      ? {
          residence: v("residence"),
          residenceStartDate: v("residenceStartDate"),
          educationalQualification: v("educationalQualification"),
          children: Number(v("children")),
          salaryType: v("salaryType"),
        }
      : {}),
  };
  return { request, approval };
}

/** Soisy's names that are not the form's. */
const SOISY_ALIASES: Record<string, FormField> = {
  streetNumber: "civicNumber",
  countryCallingCode: "mobilePhone",
  vatCountry: "vatId",
};

/** Soisy's message → a problem the page can word; anything else is "soisyRejected" (shown generically). */
function problemOf(field: FormField, message: string): FieldProblem {
  const m = message.toLowerCase();
  if (field === "postalCode" && /exist|unknown|not found|inesistente/.test(m)) return "postalCodeUnknown";
  if (/blank|required|missing|obbligatori/.test(m)) return "required";
  if (field === "fiscalCode" && /16|length|long/.test(m)) return "fiscalCodeLength";
  if (field === "fiscalCode" && /check|control|invalid|not valid/.test(m)) return "fiscalCodeCheck";
  if (field === "email" && /email/.test(m)) return "email";
  if (field === "postalCode" && /5|digit/.test(m)) return "postalCode";
  if (/not (a )?valid|invalid|valid choice/.test(m)) return "invalid";
  return "soisyRejected";
}

/**
 * Soisy's `{field: [messages]}` → errors on the form's fields, plus whether anything could not be
 * placed on a field (amount, orderToken, loanFinality, unknown names: shown in the summary only).
 */
export function soisyErrorsToForm(fields: Record<string, string[]>): { errors: FieldErrors; unplaced: boolean } {
  const errors: FieldErrors = {};
  let unplaced = false;
  const known = new Set<string>(FORM_FIELDS);
  for (const [name, messages] of Object.entries(fields)) {
    const field = known.has(name) ? (name as FormField) : SOISY_ALIASES[name];
    if (!field || field === "marketing") {
      unplaced = true;
      continue;
    }
    errors[field] ??= problemOf(field, messages[0] ?? "");
  }
  return { errors, unplaced };
}
