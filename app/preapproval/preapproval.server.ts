/**
 * Integration level 2 (lifecycle.md "Integration level 2", soisy-api.md "Step 2"): the shopper
 * stays on the app's page, picks the instalments (live quotes), gives fiscal code, job and contact
 * data; the app calls POST /requests, then POST /requests/{fiscalCode} with the order token of step
 * 1. Approved → 303 to the approval's redirectUrl (Soisy's webapp: documents + signature), and the
 * session goes on as in level 1. Refused → the session is rejected at once (outbox) and the shopper
 * gets a kind message with a way back to checkout.
 *
 * Personal data: what the shopper types is sent to Soisy and NOT stored or logged. The session keeps
 * only the chosen instalments, the approval's redirect URL and a short in-flight lock; the timeline
 * records the steps with field NAMES at most. When Soisy asks for additional data, the first call is
 * not repeated: the page carries a proof (HMAC under the app key of the session id and the first
 * call's input), so nothing typed needs to be kept on the server between the two posts.
 *
 * Idempotency: a submit takes the session's pre-approval lock (one Soisy conversation at a time); a
 * second submit meanwhile waits for the first to finish and then follows its outcome. A session
 * already approved just redirects to Soisy; one already refused shows the refusal.
 */
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { paymentUrls } from "~/payments/app-urls";
import { soisyCustomerFields } from "~/payments/customer-mapping";
import { applyInput } from "~/payments/apply-input.server";
import { observeSoisy } from "~/payments/inputs.server";
import type { PaymentDeps, PaymentRow } from "~/payments/payment-deps.server";
import { foundSession, sessionFromUrl } from "~/payments/session-from-url.server";
import { sessionSecret } from "~/payments/url-secrets.server";
import type { SoisyEnvironment } from "~/settings/settings.server";
import { isSoisyError, SoisyValidationError } from "~/soisy/errors";
import type { QuoteDeps } from "~/quotes/quote-service.server";
import { soisyErrorsToForm, soisyInputs, validateForm, type FieldErrors, type FormValues } from "./form";
import { releaseLease, startHeartbeat, stopHeartbeat, takeLock } from "./lease.server";
import { instalmentChoices, quoteOptions, type QuoteOption } from "./quote-options.server";
import { shopHandle } from "~/shopify/shop-handle";

// runtime.server.ts releases the process's locks at shutdown through this module.
export { releaseProcessPreapprovalLeases } from "./lease.server";

export interface FormPage {
  kind: "form";
  shopName: string;
  amountCents: number;
  options: QuoteOption[];
  quotesAvailable: boolean;
  defaultInstalments: number;
  prefill: FormValues;
  cancelUrl: string | null;
}

export type PreapprovalPage = FormPage | { kind: "invalid" } | { kind: "refused"; shopName: string; cancelUrl: string | null } | { kind: "redirect"; url: string };

export type FormProblem = "unavailable" | "busy" | "soisy_general" | "invalid";

export type SubmitResult =
  | { kind: "redirect"; url: string }
  | { kind: "form"; values: FormValues; errors: FieldErrors; problem: FormProblem | null; additional: boolean; proof: string | null };

// ---------------------------------------------------------------------------------------------
// Page
// ---------------------------------------------------------------------------------------------

async function verifiedSession(deps: PaymentDeps, id: string, secret: string): Promise<PaymentRow | null> {
  const session = foundSession(await sessionFromUrl(deps, { id, secret }));
  return session && session.integrationLevel === "preapproval" && session.soisyToken ? session : null;
}

/** Where a session that has left the form goes (approved → Soisy; refused → the refusal page). */
function afterForm(session: PaymentRow): PreapprovalPage {
  if (session.state === "rejected") return { kind: "refused", shopName: shopHandle(session.shop), cancelUrl: session.cancelUrl };
  if (session.preapprovalRedirectUrl && session.state === "redirected") return { kind: "redirect", url: session.preapprovalRedirectUrl };
  if (session.nextActionUrl) return { kind: "redirect", url: session.nextActionUrl };
  if (session.state === "abandoned" && session.cancelUrl) return { kind: "redirect", url: session.cancelUrl };
  return { kind: "invalid" };
}

/** `quotes`: the process's quote cache (`quoteDeps()`), shared with the instalment widget. */
export async function preapprovalPage(deps: PaymentDeps, quotes: QuoteDeps, id: string, secret: string): Promise<PreapprovalPage> {
  const session = await verifiedSession(deps, id, secret);
  if (!session) return { kind: "invalid" };
  if (session.state !== "preapproval") return afterForm(session);
  const settings = await deps.db.shopSettings.findUnique({ where: { shop: session.shop } });
  const client = await deps.soisyClient(session.shop, session.environment as SoisyEnvironment, settings).catch(() => null);
  const { options, quotesAvailable } = await quoteOptions(quotes, client, session, settings);
  const preferred = session.preapprovalInstalments ?? settings?.widgetInstalments ?? 12;
  const defaultInstalments = options.some((o) => o.instalments === preferred) ? preferred : (options.find((o) => o.instalments === 12) ?? options.at(-1))!.instalments;
  return {
    kind: "form",
    shopName: shopHandle(session.shop),
    amountCents: session.amountCents,
    options,
    quotesAvailable,
    defaultInstalments,
    prefill: prefillOf(session.customerJson),
    cancelUrl: session.cancelUrl,
  };
}

/** Shopify's customer data of the session → the form's contact and address fields. */
export function prefillOf(customerJson: string | null): FormValues {
  let customer: unknown = null;
  try {
    customer = customerJson ? JSON.parse(customerJson) : null;
  } catch {
    customer = null;
  }
  const f = soisyCustomerFields(customer);
  const out: FormValues = {};
  if (f.email) out.email = f.email;
  if (f.firstname) out.firstname = f.firstname;
  if (f.lastname) out.lastname = f.lastname;
  // The form asks for an Italian mobile (Soisy: without +39); a foreign number is left to the shopper.
  if (f.mobilePhone && (f.countryCallingCode ?? "+39") === "+39") out.mobilePhone = f.mobilePhone;
  if (f.address) out.address = f.address;
  if (f.civicNumber) out.civicNumber = f.civicNumber;
  if (f.postalCode) out.postalCode = f.postalCode;
  if (f.city) out.city = f.city;
  if (f.province) out.province = f.province;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Submit
// ---------------------------------------------------------------------------------------------

function proofKey(deps: PaymentDeps): Buffer {
  return Buffer.from(hkdfSync("sha256", deps.keyring.current.key, Buffer.alloc(0), "soisy-shopify/preapproval-proof/v1", 32));
}

/** Binds "Soisy already has this request and wants additional data" to the session and the exact input. */
export function requestProof(deps: PaymentDeps, sessionId: string, request: unknown): string {
  return createHmac("sha256", proofKey(deps)).update(JSON.stringify([sessionId, request, "additionalDataNeeded"])).digest("base64url");
}

function proofMatches(deps: PaymentDeps, sessionId: string, request: unknown, candidate: string | null): boolean {
  if (!candidate) return false;
  const expected = Buffer.from(requestProof(deps, sessionId, request), "base64url");
  const given = Buffer.from(candidate, "base64url");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function recordStep(deps: PaymentDeps, session: PaymentRow, type: string, detail?: Record<string, unknown>) {
  await deps.db.timelineEvent.create({
    data: { shop: session.shop, paymentSessionId: session.id, source: "app", type, detailJson: detail ? JSON.stringify(detail) : null },
  });
}

export async function submitPreapproval(
  deps: PaymentDeps,
  id: string,
  secret: string,
  values: FormValues,
  proof: string | null,
  pageUrl: string,
): Promise<SubmitResult> {
  const session = await verifiedSession(deps, id, secret);
  if (!session || session.state !== "preapproval") return { kind: "redirect", url: pageUrl };
  const form = (over: Partial<Extract<SubmitResult, { kind: "form" }>>): SubmitResult => ({
    kind: "form",
    values,
    errors: {},
    problem: null,
    additional: false,
    proof: null,
    ...over,
  });

  const settings = await deps.db.shopSettings.findUnique({ where: { shop: session.shop } });
  const client = await deps.soisyClient(session.shop, session.environment as SoisyEnvironment, settings).catch(() => null);
  if (!client) return form({ problem: "unavailable" });
  const zero = settings?.zeroInterest ?? false;

  // The additional-data step: the first call's input is in the page (the values), proven by the proof.
  const choices = await instalmentChoices(client);
  const firstErrors = validateForm(values, { instalmentChoices: choices });
  const { request } = soisyInputs(values, { additional: false });
  const additional = Object.keys(firstErrors).length === 0 && proofMatches(deps, session.id, request, proof);
  const errors = additional ? validateForm(values, { instalmentChoices: choices, additional: true }) : firstErrors;
  if (Object.keys(errors).length) return form({ errors, problem: "invalid", additional: !!proof, proof });

  const lock = await takeLock(deps, session.id);
  if (lock === "moved") return { kind: "redirect", url: pageUrl };
  if (lock === "busy") return form({ problem: "busy", additional, proof: additional ? proof : null });
  startHeartbeat(deps, lock);

  let released = false;
  const release = async () => {
    if (released) {
      stopHeartbeat(lock);
      return;
    }
    released = true;
    await releaseLease(deps, lock);
  };
  try {
    const inputs = soisyInputs(values, { additional });
    if (!additional) {
      await recordStep(deps, session, "preapproval_requested", { instalments: inputs.request.instalments });
      let created;
      try {
        created = await client.createRequest({ amount: session.amountCents, ...(zero ? { zeroInterestRate: true } : {}), ...inputs.request });
      } catch (error) {
        return await soisyFailed(deps, session, error, form, "request");
      }
      if (created.additionalDataNeeded) {
        await recordStep(deps, session, "preapproval_additional_data");
        return form({ additional: true, proof: requestProof(deps, session.id, request) });
      }
    }

    let approval;
    try {
      approval = await client.approveRequest(inputs.request.fiscalCode, {
        amount: session.amountCents,
        orderToken: session.soisyToken!,
        ...(zero ? { zeroInterestRate: true } : {}),
        ...inputs.approval,
      });
    } catch (error) {
      // The order is no longer awaiting a request: an earlier answer was lost. Ask Soisy what it decided.
      if (error instanceof SoisyValidationError && error.origin === "soisy" && error.fields.orderToken) {
        const settled = await settleFromOrder(deps, session, inputs.request.instalments);
        if (settled) return { kind: "redirect", url: settled === "approved" ? (await reread(deps, session.id)).preapprovalRedirectUrl ?? pageUrl : pageUrl };
      }
      // Soisy already has the request: an approval that failed keeps the additional-data step (and
      // its proof) so the shopper only fixes what Soisy refused — nothing typed disappears.
      return await soisyFailed(deps, session, error, form, "approval", additional ? proof : null);
    }

    const decision = approval.decision;
    let redirectUrl = approval.redirectUrl;
    if (decision === "unknown") {
      const settled = await settleFromOrder(deps, session, inputs.request.instalments, approval.redirectUrl);
      if (settled === "approved") return { kind: "redirect", url: (await reread(deps, session.id)).preapprovalRedirectUrl ?? pageUrl };
      if (settled === "refused") return { kind: "redirect", url: pageUrl };
      await recordStep(deps, session, "preapproval_failed", { kind: "no_outcome" });
      return form({ problem: "unavailable", additional, proof: additional ? proof : null });
    }
    if (decision === "approved") {
      redirectUrl ??= session.soisyRedirectUrl;
      await approved(deps, session, inputs.request.instalments, redirectUrl!);
      released = true;
      return { kind: "redirect", url: redirectUrl! };
    }
    await refused(deps, session, inputs.request.instalments);
    released = true;
    return { kind: "redirect", url: pageUrl };
  } finally {
    await release();
  }
}

async function reread(deps: PaymentDeps, id: string): Promise<PaymentRow> {
  return deps.db.paymentSession.findUniqueOrThrow({ where: { id } });
}

async function approved(deps: PaymentDeps, session: PaymentRow, instalments: number, redirectUrl: string) {
  await applyInput(deps, session.id, { kind: "preapproval_approved" }, {
    data: { preapprovalRedirectUrl: redirectUrl, preapprovalInstalments: instalments, preapprovalLockedUntil: null },
    timeline: { source: "app", type: "preapproval_approved", detail: { instalments } },
  });
}

async function refused(deps: PaymentDeps, session: PaymentRow, instalments: number) {
  await applyInput(deps, session.id, { kind: "preapproval_refused" }, {
    data: { preapprovalInstalments: instalments, preapprovalLockedUntil: null },
    deliverNow: true,
    timeline: { source: "app", type: "preapproval_refused", detail: { instalments } },
  });
}

/** Reads the order at Soisy when the approval's answer is unclear or was lost. */
async function settleFromOrder(deps: PaymentDeps, session: PaymentRow, instalments: number, redirectUrl?: string | null): Promise<"approved" | "refused" | null> {
  // The lease's heartbeat keeps it while the order is read, so no second submit starts a parallel
  // Soisy conversation meanwhile.
  try {
    const { order } = await observeSoisy(deps, session);
    if (order.status === "cancelled") {
      await refused(deps, session, instalments);
      return "refused";
    }
    if (order.status !== "quote") {
      await approved(deps, session, instalments, redirectUrl ?? session.soisyRedirectUrl!);
      return "approved";
    }
  } catch (error) {
    deps.logger.warn({ sessionId: session.id, kind: isSoisyError(error) ? error.kind : "unexpected" }, "pre-approval: could not read the Soisy order");
  }
  return null;
}

async function soisyFailed(
  deps: PaymentDeps,
  session: PaymentRow,
  error: unknown,
  form: (over: Partial<Extract<SubmitResult, { kind: "form" }>>) => SubmitResult,
  call: "request" | "approval",
  /** The additional-data proof when the failed call was that step's approval. */
  additionalProof: string | null = null,
): Promise<SubmitResult> {
  const additional = additionalProof !== null;
  if (error instanceof SoisyValidationError) {
    const mapped = soisyErrorsToForm(error.fields);
    // Field names only: never the values, never Soisy's messages (they may quote what was typed).
    const fields = Object.keys(error.fields);
    await recordStep(deps, session, "preapproval_invalid", { call, fields });
    deps.logger.info({ sessionId: session.id, call, fields, origin: error.origin }, "pre-approval: Soisy refused some fields");
    const placed = Object.keys(mapped.errors).length > 0;
    return form({ errors: mapped.errors, problem: placed && !mapped.unplaced ? "invalid" : "soisy_general", additional, proof: additionalProof });
  }
  const kind = isSoisyError(error) ? error.kind : "unexpected";
  await recordStep(deps, session, "preapproval_failed", { call, kind });
  deps.logger.warn({ sessionId: session.id, call, kind }, "pre-approval: Soisy call failed");
  if (!isSoisyError(error)) deps.logger.error({ sessionId: session.id, err: error instanceof Error ? error.name : "unknown" }, "pre-approval: unexpected error");
  return form({ problem: "unavailable", additional, proof: additionalProof });
}

/** The page's own URL for a session (Shopify gets it as the redirect URL of a level-2 session). */
export function preapprovalUrl(deps: PaymentDeps, sessionId: string): string {
  return paymentUrls(deps.appUrl, sessionId, sessionSecret(sessionId, deps.keyring)).preapproval;
}
