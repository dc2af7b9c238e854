/**
 * Zod schemas and types for everything exchanged with Soisy (see docs/soisy-api.md).
 *
 * Inputs (what we send) are strict: unknown keys and malformed values are rejected before any
 * network call. Responses are strict only on what the payment flow cannot do without (token,
 * status); every other field is lenient — a missing or oddly typed field becomes `null` instead of
 * failing the whole call — because Soisy does not publish response schemas.
 * All money is integer euro cents.
 *
 * Over 400 lines on purpose: every schema builds on the private primitives at the top (`lenient`,
 * `looseCents`, `text`…), which would otherwise have to be exported to a second file.
 */
import { z } from "zod";

/** Soisy's two environments: sandbox (the shop's test payments) and production. */
export const SOISY_ENVIRONMENTS = ["sandbox", "production"] as const;
export type SoisyEnvironment = (typeof SOISY_ENVIRONMENTS)[number];

/* ------------------------------------------------------------------------------------------------
 * Primitives
 * ---------------------------------------------------------------------------------------------- */

export const SOISY_MIN_INSTALMENTS = 3;
export const SOISY_MAX_INSTALMENTS = 60;

const centsSchema = z
  .number({ error: "must be an integer amount in euro cents" })
  .int("must be an integer amount in euro cents")
  .positive("must be greater than zero")
  .max(Number.MAX_SAFE_INTEGER, "is too large");

const instalmentsSchema = z
  .number({ error: "must be an integer" })
  .int("must be an integer")
  .min(SOISY_MIN_INSTALMENTS, `must be at least ${SOISY_MIN_INSTALMENTS}`)
  .max(SOISY_MAX_INSTALMENTS, `must be at most ${SOISY_MAX_INSTALMENTS}`);

const text = (max = 255) =>
  z
    .string({ error: "must be a string" })
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`);

const httpUrlSchema = z.url({ protocol: /^https?$/, error: "must be an absolute http(s) URL" }).max(2048);

export const FiscalCodeSchema = z
  .string({ error: "must be a string" })
  .regex(/^[A-Za-z0-9]{16}$/, "must be 16 letters or digits")
  .transform((v) => v.toUpperCase());

const emailSchema = z.email({ error: "must be a valid email address" }).max(254);
const mobilePhoneSchema = z
  .string({ error: "must be a string" })
  .regex(/^[0-9]{6,15}$/, "must contain only digits, without the +39 prefix");
const countryCallingCodeSchema = z.string().regex(/^\+[0-9]{1,4}$/, 'must look like "+39"');
const provinceSchema = z.string().regex(/^[A-Z]{2}$/, 'must be a 2-letter uppercase province code, e.g. "MI"');
const postalCodeSchema = z.string().regex(/^[0-9]{5}$/, "must be 5 digits");
const vatIdSchema = z.string().regex(/^[0-9]{11}$/, "must be 11 digits");
const vatCountrySchema = z.string().regex(/^[A-Z]{2}$/, 'must be a 2-letter uppercase country code, e.g. "IT"');

/* Lenient response primitives: anything unusable becomes null. */
const lenient = <T extends z.ZodType>(schema: T) =>
  schema
    .nullish()
    .catch(null)
    .transform((v) => (v ?? null) as z.output<T> | null);

/** Integer cents given as a number or a digit string. */
const looseCents = z.union([
  z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  z
    .string()
    .regex(/^[0-9]{1,15}$/)
    .transform(Number),
]);
const looseInt = looseCents;
/** A decimal number (rates in %), given as a number or a numeric string ("9.9", "9,9"). */
const looseNumber = z.union([
  z.number().finite(),
  z
    .string()
    .trim()
    .regex(/^-?[0-9]+(?:[.,][0-9]+)?$/)
    .transform((s) => Number(s.replace(",", "."))),
]);
const looseBool = z.union([
  z.boolean(),
  z.literal(1).transform(() => true),
  z.literal(0).transform(() => false),
  z.enum(["1", "true", "yes", "on"]).transform(() => true),
  z.enum(["0", "false", "no", "off", ""]).transform(() => false),
]);
const looseString = z.union([z.string(), z.number().transform(String)]);

/* ------------------------------------------------------------------------------------------------
 * Step 1: create order — POST /orders
 * ---------------------------------------------------------------------------------------------- */

export const CreateOrderInputSchema = z.strictObject({
  /** Loan amount in euro cents. */
  amount: centsSchema.optional(),
  /** If sent, the shopper cannot change it in Soisy's webapp: normally omit. */
  instalments: instalmentsSchema.optional(),
  email: emailSchema.optional(),
  firstname: text().optional(),
  lastname: text().optional(),
  /** Italian mobile number, digits only, without +39. */
  mobilePhone: mobilePhoneSchema.optional(),
  /** Defaults to "+39" at Soisy. */
  countryCallingCode: countryCallingCodeSchema.optional(),
  fiscalCode: FiscalCodeSchema.optional(),
  vatId: vatIdSchema.optional(),
  vatCountry: vatCountrySchema.optional(),
  city: text().optional(),
  province: provinceSchema.optional(),
  /** Street name only: no civic number, no commas (Soisy's recommendation). */
  address: text().optional(),
  civicNumber: text(20).optional(),
  postalCode: postalCodeSchema.optional(),
  /** Needs a zero-interest contract with Soisy. */
  zeroInterestRate: z.boolean().optional(),
  successUrl: httpUrlSchema.optional(),
  errorUrl: httpUrlSchema.optional(),
  callbackUrl: httpUrlSchema.optional(),
  /** Merchant reference, echoed in callbacks. */
  orderReference: text().optional(),
});
export type CreateOrderInput = z.input<typeof CreateOrderInputSchema>;

export const CreateOrderResponseSchema = z.looseObject({
  token: z.string().min(1).max(255),
  redirectUrl: lenient(httpUrlSchema),
});
export type CreateOrderResponse = z.output<typeof CreateOrderResponseSchema>;

/** What `createOrder` returns: `redirectUrl` is always set (built by us when Soisy omitted it). */
export interface CreateOrderResult {
  token: string;
  redirectUrl: string;
  /** "soisy" when the URL came from Soisy's response, "fallback" when we built it. */
  redirectUrlSource: "soisy" | "fallback";
}

/* ------------------------------------------------------------------------------------------------
 * Order status — GET /orders/{token}
 * ---------------------------------------------------------------------------------------------- */

export const SOISY_ORDER_STATUSES = [
  "quote",
  "request_received",
  "request_accepted",
  "waiting_for_verification",
  "waiting_for_disbursement",
  // A verified suspended order waiting for the merchant's match-trigger (fund on fulfilment). Soisy
  // publishes no name for it: this is the simulator's (app/soisy/README.md, "Suspended orders").
  "waiting_for_trigger",
  "disbursed",
  "cancelled",
] as const;
export type SoisyKnownOrderStatus = (typeof SOISY_ORDER_STATUSES)[number];

export function isKnownOrderStatus(status: string): status is SoisyKnownOrderStatus {
  return (SOISY_ORDER_STATUSES as readonly string[]).includes(status);
}

export const OrderStatusSchema = z.looseObject({
  token: z.string().min(1).max(255),
  /** Known values in SOISY_ORDER_STATUSES; unknown values are kept as they are. */
  status: z.string().min(1).max(100),
  orderReference: lenient(looseString),
  loanAmount: lenient(looseCents),
  loanNetAmount: lenient(looseCents),
  instalmentsNumber: lenient(looseInt),
  zeroInterestRate: lenient(looseBool),
  firstname: lenient(z.string()),
  lastname: lenient(z.string()),
  email: lenient(z.string()),
  createdAt: lenient(looseString),
  updatedAt: lenient(looseString),
  loanSignedAt: lenient(looseString),
  loanVerifiedAt: lenient(looseString),
  loanDisbursedAt: lenient(looseString),
  successUrl: lenient(z.string()),
  errorUrl: lenient(z.string()),
  callbackUrl: lenient(z.string()),
});
export type OrderStatus = z.output<typeof OrderStatusSchema>;

/* ------------------------------------------------------------------------------------------------
 * Loan quotes — GET /loan-quotes (no auth)
 * ---------------------------------------------------------------------------------------------- */

export const LoanQuotesQuerySchema = z.strictObject({
  amount: centsSchema,
  instalments: instalmentsSchema,
  zeroInterestRate: z.boolean().optional(),
});
export type LoanQuotesQuery = z.input<typeof LoanQuotesQuerySchema>;

export const LoanQuoteSchema = z.looseObject({
  /** Cents. */
  instalmentAmount: looseCents,
  /** Cents. */
  totalRepaid: looseCents,
  /** Cents. */
  fee: lenient(looseCents).transform((v) => v ?? 0),
  /** Cents. */
  interest: looseCents,
  /** TAN, percent (e.g. 7.9). */
  interestRate: looseNumber,
  /** TAEG, percent. */
  apr: looseNumber,
});
export type LoanQuote = z.output<typeof LoanQuoteSchema>;

export const LoanQuotesSchema = z.looseObject({
  min: LoanQuoteSchema,
  median: LoanQuoteSchema,
  max: LoanQuoteSchema,
});
export type LoanQuotes = z.output<typeof LoanQuotesSchema>;

/* ------------------------------------------------------------------------------------------------
 * Shop info — GET /api/shops/{shopId} (no auth)
 * ---------------------------------------------------------------------------------------------- */

export const ShopInfoSchema = z
  .looseObject({
    active: looseBool,
    /** Soisy's loan-quote widget reads `maxInstalmentsNumber`: accepted as an alias. */
    maxLoanInstalmentsNumber: lenient(looseInt),
    maxInstalmentsNumber: lenient(looseInt),
    zeroInterestRate: lenient(looseBool).transform((v) => v ?? false),
  })
  .transform(({ maxInstalmentsNumber, ...rest }) => ({
    ...rest,
    maxLoanInstalmentsNumber: rest.maxLoanInstalmentsNumber ?? maxInstalmentsNumber ?? null,
  }));
export type ShopInfo = z.output<typeof ShopInfoSchema>;

/* ------------------------------------------------------------------------------------------------
 * Step 2: request — POST /requests
 * ---------------------------------------------------------------------------------------------- */

export const SOISY_JOB_DESCRIPTIONS = [
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
export type SoisyJobDescription = (typeof SOISY_JOB_DESCRIPTIONS)[number];

export const CreateRequestInputSchema = z
  .strictObject({
    amount: centsSchema,
    instalments: instalmentsSchema,
    /** The shopper's privacy consent: Soisy cannot proceed without it. */
    privacy: z.literal(true, { error: "the privacy consent is required" }),
    marketing: z.boolean().optional(),
    fiscalCode: FiscalCodeSchema,
    zeroInterestRate: z.boolean().optional(),
    jobDescription: z.enum(SOISY_JOB_DESCRIPTIONS, { error: "is not a valid job description" }),
    /** MM/YYYY, required for employee_fixed_term_contract. */
    actualJobEndingDate: z
      .string()
      .regex(/^(0[1-9]|1[0-2])\/[0-9]{4}$/, "must be MM/YYYY")
      .optional(),
    /** Required for entrepreneur. */
    vatId: vatIdSchema.optional(),
    vatCountry: vatCountrySchema.optional(),
  })
  .superRefine((input, ctx) => {
    if (input.jobDescription === "employee_fixed_term_contract" && !input.actualJobEndingDate) {
      ctx.addIssue({ code: "custom", path: ["actualJobEndingDate"], message: "is required for fixed-term contracts" });
    }
    if (input.jobDescription === "entrepreneur" && !input.vatId) {
      ctx.addIssue({ code: "custom", path: ["vatId"], message: "is required for entrepreneurs" });
    }
  });
export type CreateRequestInput = z.input<typeof CreateRequestInputSchema>;

export const CreateRequestResponseSchema = z.looseObject({
  apr: lenient(looseNumber),
  fiscalCode: lenient(z.string()),
  totalRepayment: lenient(looseCents),
  instalmentAmount: lenient(looseCents),
  zeroInterestRate: lenient(looseBool),
  /** When true, approveRequest must carry residence, residenceStartDate, educationalQualification, children, salaryType. */
  additionalDataNeeded: lenient(looseBool).transform((v) => v ?? false),
});
export type CreateRequestResponse = z.output<typeof CreateRequestResponseSchema>;

/* ------------------------------------------------------------------------------------------------
 * Step 2: approval — POST /requests/{fiscalCode}
 * ---------------------------------------------------------------------------------------------- */

export const SOISY_CITIZENSHIPS = ["italian", "eu", "outside_eu"] as const;

export const ApproveRequestInputSchema = z.strictObject({
  amount: centsSchema,
  instalments: instalmentsSchema,
  loanFinality: z.literal("ecommerce_shop").default("ecommerce_shop"),
  /** Token of the order created in step 1. */
  orderToken: text(),
  email: emailSchema,
  firstname: text(),
  lastname: text(),
  mobilePhone: mobilePhoneSchema,
  countryCallingCode: countryCallingCodeSchema.optional(),
  city: text(),
  province: provinceSchema,
  address: text(),
  civicNumber: text(20),
  postalCode: postalCodeSchema,
  citizenship: z.enum(SOISY_CITIZENSHIPS, { error: "must be italian, eu or outside_eu" }),
  zeroInterestRate: z.boolean().optional(),
  // Only when createRequest answered additionalDataNeeded: true. Soisy does not publish their
  // formats, so they are passed through as given.
  residence: text().optional(),
  residenceStartDate: text(20).optional(),
  educationalQualification: text().optional(),
  children: z.number().int().min(0).max(30).optional(),
  salaryType: text().optional(),
});
export type ApproveRequestInput = z.input<typeof ApproveRequestInputSchema>;

/** Soisy does not publish this schema: everything is optional and unknown keys are kept. */
export const ApproveRequestResponseSchema = z.looseObject({
  approved: lenient(looseBool),
  status: lenient(looseString),
  outcome: z.unknown().optional(),
  redirectUrl: lenient(httpUrlSchema),
});
export type ApproveRequestResponse = z.output<typeof ApproveRequestResponseSchema>;

export type ApproveDecision = "approved" | "rejected" | "unknown";

export interface ApproveRequestResult {
  /** Derived from `approved` / `status` / `outcome`; "unknown" when absent or contradictory — confirm by callback and getOrder. */
  decision: ApproveDecision;
  /** Where to send the shopper next (documents + signature); null when not approved and Soisy sent none. */
  redirectUrl: string | null;
  redirectUrlSource: "soisy" | "fallback" | null;
  /** The parsed response, unknown keys included. */
  response: ApproveRequestResponse;
}

const APPROVED_WORDS = new Set(["approved", "accepted", "request_accepted", "ok", "success", "positive"]);
const REJECTED_WORDS = new Set(["rejected", "refused", "denied", "declined", "ko", "cancelled", "negative", "failed"]);

/** Reads the outcome from whatever shape Soisy answered with. */
export function approveDecisionOf(response: ApproveRequestResponse): ApproveDecision {
  const votes = new Set<"approved" | "rejected">();
  if (response.approved === true) votes.add("approved");
  if (response.approved === false) votes.add("rejected");
  const words: unknown[] = [response.status, response.outcome];
  if (typeof response.outcome === "object" && response.outcome !== null) {
    const o = response.outcome as Record<string, unknown>;
    words.push(o.status, o.outcome, o.result);
    if (o.approved === true) votes.add("approved");
    if (o.approved === false) votes.add("rejected");
  }
  for (const word of words) {
    if (typeof word === "boolean") votes.add(word ? "approved" : "rejected");
    if (typeof word !== "string") continue;
    const w = word.trim().toLowerCase();
    if (APPROVED_WORDS.has(w)) votes.add("approved");
    if (REJECTED_WORDS.has(w)) votes.add("rejected");
  }
  if (votes.size !== 1) return "unknown";
  return votes.has("approved") ? "approved" : "rejected";
}

/* ------------------------------------------------------------------------------------------------
 * Callbacks (Soisy → merchant), application/x-www-form-urlencoded
 * ---------------------------------------------------------------------------------------------- */

export const SOISY_CALLBACK_EVENTS = {
  LoanWasApproved: "LoanWasApproved",
  RequestCompleted: "RequestCompleted",
  LoanWasVerified: "LoanWasVerified",
  LoanWasDisbursed: "LoanWasDisbursed",
  UserWasRejected: "UserWasRejected",
} as const;
export type SoisyCallbackEventId = keyof typeof SOISY_CALLBACK_EVENTS;
export const SOISY_CALLBACK_EVENT_IDS = Object.keys(SOISY_CALLBACK_EVENTS) as SoisyCallbackEventId[];

export function isKnownCallbackEvent(eventId: string): eventId is SoisyCallbackEventId {
  return Object.prototype.hasOwnProperty.call(SOISY_CALLBACK_EVENTS, eventId);
}

/**
 * The callback body. Nothing in it is signed: never act on it without matching the URL secret and
 * the token, and confirming with getOrder. `eventId` stays a string so unknown events can be logged.
 */
export const SoisyCallbackSchema = z.looseObject({
  eventId: z.string().trim().min(1).max(100),
  eventMessage: lenient(z.string().max(1000)),
  eventDate: lenient(z.string().max(100)),
  orderToken: z.string().trim().min(1).max(255),
  orderReference: lenient(z.string().max(255)).transform((v) => (v === "" ? null : v)),
  /** Cents, sent with LoanWasDisbursed. */
  amount: lenient(looseCents),
});
export type SoisyCallback = z.output<typeof SoisyCallbackSchema>;

/**
 * Parses a callback body: a raw form-encoded string, URLSearchParams (e.g. from `request.formData()`
 * converted) or an already-decoded object. Repeated keys: the last value wins.
 */
export function parseSoisyCallback(
  body: string | URLSearchParams | Record<string, unknown>,
): ReturnType<typeof SoisyCallbackSchema.safeParse> {
  let record: Record<string, unknown>;
  if (typeof body === "string" || body instanceof URLSearchParams) {
    const params = typeof body === "string" ? new URLSearchParams(body) : body;
    record = {};
    for (const [key, value] of params) record[key] = value;
  } else {
    record = body;
  }
  return SoisyCallbackSchema.safeParse(record);
}
