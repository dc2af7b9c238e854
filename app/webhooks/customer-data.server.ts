/**
 * The customer compliance webhooks' work on the database, shared with the operator CLI:
 *   - `customerExport`: everything stored about a customer (the answer to customers/data_request);
 *   - `recordDataRequest`: a timeline row per matching payment, so the merchant / operator sees the
 *     request (no personal data in it; the export itself is read live: `npm run shop -- export-customer`);
 *   - `redactCustomer`: erases the customer's personal data (customers/redact).
 *
 * Decision (customers/redact of payments still in flight): personal data is erased NOW, whatever
 * the payment's state. After the session request, the payment flow never reads customerJson /
 * customerEmail (the Soisy order was created from Shopify's request body; a retried session
 * request is answered from the stored ids) and customerLocale only picks the language of the
 * shopper-facing pages, which falls back to the merchant's locale and Accept-Language. Amounts,
 * states, ids, Soisy tokens and the timeline's decisions are kept (financial records).
 *
 * Level 2 (in-store pre-approval): the form only PREFILLS from customerJson (after a redact the
 * shopper types everything) and stores nothing typed. What it keeps per payment: the chosen
 * instalments (kept: a term of the loan, like the amount) and the approval's Soisy webapp URL, which
 * opens the shopper's own application at Soisy — personal, so exported and erased here.
 */
import type { Tx } from "./shop-data.server";
import { centsToDecimal } from "~/money/cents";
import { matchesCustomer, scrubDetailJson, storedPersonalFields, parseCustomerJson, type CustomerIdentity } from "./customer-data";

const BATCH = 500;

export interface MatchedPayment {
  id: string;
  customerEmail: string | null;
  customerJson: string | null;
  customerLocale: string | null;
  preapprovalRedirectUrl?: string | null;
}

/** The shop's payments naming this customer (scanned in batches: emails are matched case-insensitively). */
export async function findCustomerPayments(db: Tx, shop: string, who: CustomerIdentity): Promise<MatchedPayment[]> {
  const matched: MatchedPayment[] = [];
  let cursor: string | undefined;
  for (;;) {
    const rows = await db.paymentSession.findMany({
      where: { shop, OR: [{ customerEmail: { not: null } }, { customerJson: { not: null } }] },
      select: { id: true, customerEmail: true, customerJson: true, customerLocale: true, preapprovalRedirectUrl: true },
      orderBy: { id: "asc" },
      take: BATCH,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    for (const row of rows) if (matchesCustomer(row, who)) matched.push(row);
    if (rows.length < BATCH) return matched;
    cursor = rows.at(-1)!.id;
  }
}

export interface CustomerExport {
  shop: string;
  generatedAt: string;
  payments: Array<{
    id: string;
    gid: string;
    createdAt: string;
    proposedAt: string;
    amount: string;
    amountCents: number;
    currency: string;
    state: string;
    test: boolean;
    soisyStatus: string | null;
    resolvedAt: string | null;
    rejectedAt: string | null;
    refunds: Array<{ id: string; amount: string; state: string; createdAt: string }>;
    /** The personal fields stored for this payment (dotted paths). */
    fieldsStored: string[];
    /** Level 2: the instalments chosen in the store (null otherwise). */
    preapprovalInstalments: number | null;
    /** The personal data itself, as stored. */
    personalData: {
      customerEmail: string | null;
      customerLocale: string | null;
      customer: Record<string, unknown> | null;
      /** Level 2: the link to the shopper's application at Soisy. */
      preapprovalRedirectUrl: string | null;
    };
  }>;
}

/** Everything the shop's payments store about the customer. */
export async function customerExport(db: Tx, shop: string, who: CustomerIdentity, now = new Date()): Promise<CustomerExport> {
  const matched = await findCustomerPayments(db, shop, who);
  const rows = await db.paymentSession.findMany({
    where: { id: { in: matched.map((m) => m.id) } },
    include: { refunds: { orderBy: { createdAt: "asc" } } },
    orderBy: { createdAt: "asc" },
  });
  return {
    shop,
    generatedAt: now.toISOString(),
    payments: rows.map((p) => ({
      id: p.id,
      gid: p.gid,
      createdAt: p.createdAt.toISOString(),
      proposedAt: p.proposedAt.toISOString(),
      amount: centsToDecimal(p.amountCents),
      amountCents: p.amountCents,
      currency: p.currency,
      state: p.state,
      test: p.test,
      soisyStatus: p.soisyStatus,
      resolvedAt: p.resolvedAt?.toISOString() ?? null,
      rejectedAt: p.rejectedAt?.toISOString() ?? null,
      refunds: p.refunds.map((r) => ({ id: r.id, amount: centsToDecimal(r.amountCents), state: r.state, createdAt: r.createdAt.toISOString() })),
      fieldsStored: [...storedPersonalFields(p), ...(p.preapprovalRedirectUrl ? ["preapprovalRedirectUrl"] : [])].sort(),
      preapprovalInstalments: p.preapprovalInstalments,
      personalData: {
        customerEmail: p.customerEmail,
        customerLocale: p.customerLocale,
        customer: parseCustomerJson(p.customerJson),
        preapprovalRedirectUrl: p.preapprovalRedirectUrl,
      },
    })),
  };
}

/**
 * customers/data_request: one "customer_data_request" timeline row per matching payment (dedupe
 * key = webhook id + payment, so a redelivery adds nothing). Returns a summary without personal data.
 */
export async function recordDataRequest(
  db: Tx,
  shop: string,
  who: CustomerIdentity,
  request: { webhookId: string; dataRequestId: string | null; ordersRequested: string[] },
) {
  const exported = await customerExport(db, shop, who);
  let recorded = 0;
  for (const payment of exported.payments) {
    const dedupeKey = `webhook:${request.webhookId}:${payment.id}`;
    const exists = await db.timelineEvent.findUnique({ where: { dedupeKey }, select: { id: true } });
    if (exists) continue;
    // Inside the webhook's transaction (with its ProcessedWebhook row): a concurrent redelivery
    // waits for it and then finds the webhook id taken, so no try/catch around the insert.
    await db.timelineEvent.create({
      data: {
        shop,
        paymentSessionId: payment.id,
        source: "shopify",
        type: "customer_data_request",
        dedupeKey,
        detailJson: JSON.stringify({ webhookId: request.webhookId, dataRequestId: request.dataRequestId, fieldsStored: payment.fieldsStored }),
      },
    });
    recorded++;
  }
  return {
    topic: "customers/data_request" as const,
    dataRequestId: request.dataRequestId,
    ordersRequested: request.ordersRequested,
    recorded,
    payments: exported.payments.map((p) => ({
      id: p.id,
      amount: p.amount,
      currency: p.currency,
      state: p.state,
      createdAt: p.createdAt,
      fieldsStored: p.fieldsStored,
    })),
  };
}

/**
 * customers/redact (inside the webhook's transaction, only the shop's payments): for each matching
 * payment customerJson / customerEmail /
 * customerLocale become null, its timeline details lose any personal data, and a
 * "customer_redacted" row records it (no personal data). A redelivery matches nothing any more.
 */
export async function redactCustomer(tx: Tx, shop: string, who: CustomerIdentity, request: { webhookId: string }) {
  const matched = await findCustomerPayments(tx, shop, who);
  let timelineRowsScrubbed = 0;
  for (const payment of matched) {
    const erased = [...storedPersonalFields(payment), ...(payment.preapprovalRedirectUrl ? ["preapprovalRedirectUrl"] : [])].sort();
    await tx.paymentSession.update({
      where: { id: payment.id },
      data: { customerJson: null, customerEmail: null, customerLocale: null, preapprovalRedirectUrl: null },
    });
    const events = await tx.timelineEvent.findMany({
      where: { paymentSessionId: payment.id, detailJson: { not: null } },
      select: { id: true, detailJson: true },
    });
    for (const event of events) {
      const scrubbed = scrubDetailJson(event.detailJson, who);
      if (!scrubbed.changed) continue;
      await tx.timelineEvent.update({ where: { id: event.id }, data: { detailJson: scrubbed.detailJson } });
      timelineRowsScrubbed++;
    }
    const dedupeKey = `webhook:${request.webhookId}:${payment.id}`;
    if (!(await tx.timelineEvent.findUnique({ where: { dedupeKey }, select: { id: true } }))) {
      await tx.timelineEvent.create({
        data: {
          shop,
          paymentSessionId: payment.id,
          source: "shopify",
          type: "customer_redacted",
          dedupeKey,
          detailJson: JSON.stringify({ webhookId: request.webhookId, fieldsErased: erased }),
        },
      });
    }
  }
  return { topic: "customers/redact" as const, paymentsRedacted: matched.length, timelineRowsScrubbed, paymentIds: matched.map((m) => m.id) };
}
