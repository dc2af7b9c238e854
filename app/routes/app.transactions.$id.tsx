/**
 * One payment for the merchant: amounts (Shopify's, Soisy's loan), Soisy's status, state, test/live,
 * the merged timeline (Shopify requests, Soisy events, app decisions, alerts, each Shopify mutation
 * with each delivery attempt), its refunds (RefundsCard.tsx), and (fund on fulfilment) its captures and
 * voids. Refunds awaiting the merchant get "Refunded at Soisy" and "Decline" (POST here → decideRefund,
 * then back to this page with the outcome) and, when the app settles refunds from Soisy's data, a note
 * that it is watching Soisy; a void awaiting the merchant posts to /app/settlements/:id.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { z } from "zod";
import { Banner, BlockStack, Box, Button, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { shopify } from "~/shopify.server";
import { db } from "~/db.server";
import { readFormBody } from "~/http/form-body.server";
import { routeId } from "~/http/route-id";
import { localeFromRequest, translator, type MessageKey } from "~/i18n/i18n";
import { REFUND_STATES } from "~/payments/refund-service.server";
import { decideRefund } from "~/payments/refund-service.server";
import { decideFlaggedPayment } from "~/payments/inputs.server";
import { paymentDeps } from "~/runtime.server";
import { formatMoney } from "~/i18n/money";
import { getTransaction } from "~/transactions/detail.server";
import { alertLabel, buildTimeline } from "~/transactions/timeline";
import { deciderLabel, soisyStatusSentence, stateSentence } from "~/transactions/sentences";
import { TimelineList } from "~/transactions/TimelineList";
import { formatDateTime, withLang } from "~/transactions/format";
import { SettlementsList } from "~/transactions/SettlementsCard";
import { RefundsList } from "~/transactions/RefundsCard";
import { authorizationFacts, rejectTexts, settlementItems } from "~/transactions/settlements-view";

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const t = translator(data?.locale ?? "it");
  return [{ title: `${data ? t("transactions.detail.title", { id: data.payment.id }) : t("transactions.detail.notFound")} — ${t("app.name")}` }];
};

const idSchema = z.string().trim().min(1).max(255).refine((id) => routeId(id) !== null);
const doneSchema = z.enum(["resolve", "reject"]);
/** What /app/settlements/:id (the void confirmation) sends back with. */
const settledSchema = z.enum(["confirm_void"]);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session } = await shopify().authenticate.admin(request);
  const locale = localeFromRequest(request);
  const t = translator(locale);
  const id = idSchema.safeParse(params.id);
  const found = id.success ? await getTransaction(db(), session.shop, id.data) : null;
  if (!found) throw json({ message: t("transactions.detail.notFound") }, { status: 404 });
  const { payment, messages } = found;
  const url = new URL(request.url);
  const done = doneSchema.safeParse(url.searchParams.get("done"));
  const settled = settledSchema.safeParse(url.searchParams.get("done"));
  const decided = doneSchema.safeParse(url.searchParams.get("decided"));
  const error = decisionErrorSchema.safeParse(url.searchParams.get("error"));
  const fmt = (d: Date) => formatDateTime(d, locale);
  return {
    locale,
    done: done.success ? done.data : null,
    voidConfirmed: settled.success,
    decided: decided.success ? decided.data : null,
    error: error.success ? error.data : null,
    payment: {
      id: payment.id,
      amount: formatMoney(payment.amountCents, payment.currency, locale),
      loanAmount: payment.soisyLoanAmountCents === null ? null : formatMoney(payment.soisyLoanAmountCents, "EUR", locale),
      soisyStatus: payment.soisyStatus,
      soisyStatusLabel: payment.soisyStatus === null ? null : soisyStatusSentence(payment.soisyStatus, locale),
      state: payment.state,
      stateLabel: stateSentence(payment.state, locale),
      test: payment.test,
      email: payment.customerEmail,
      token: payment.soisyToken,
      created: fmt(payment.createdAt),
      flag: payment.flagReason ? alertLabel(payment.flagReason, locale) : null,
      amountMismatch: payment.amountMismatch,
      awaitingDecision: payment.flagReason !== null && !["resolved", "rejected", "not_eligible"].includes(payment.state),
      authorization: payment.kind === "authorization",
      authorizationFacts: authorizationFacts(payment, locale, new Date()),
    },
    settlements: settlementItems(payment.settlements, locale, payment.currency, rejectTexts(payment.events)),
    refunds: payment.refunds.map((r) => ({
      id: r.id,
      amount: formatMoney(r.amountCents, r.currency, locale),
      state: r.state,
      stateLabel: (REFUND_STATES as readonly string[]).includes(r.state) ? t(`transactions.refund.${r.state}` as MessageKey) : r.state,
      requested: fmt(r.createdAt),
      decidedBy: r.decidedBy ? deciderLabel(r.decidedBy, locale) : null,
      decidedAt: r.decidedAt ? fmt(r.decidedAt) : null,
    })),
    // Refunds settled from Soisy's data: on unless the shop turned it off (the column's default is on).
    refundWatch: {
      watching: (await db().shopSettings.findUnique({ where: { shop: session.shop }, select: { settleRefundsFromSoisy: true } }))?.settleRefundsFromSoisy ?? true,
      lastChecked: payment.lastCheckedAt ? fmt(payment.lastCheckedAt) : null,
    },
    timeline: buildTimeline(payment.events, messages, locale, fmt, payment.currency),
  };
}

/** Why a decision was not recorded, as the page explains it (the service's own messages are for logs). */
const decisionErrorSchema = z.enum(["notFound", "alreadyDecided"]);
const decisionError = (status: number): z.infer<typeof decisionErrorSchema> => (status === 404 ? "notFound" : "alreadyDecided");

const decisionSchema = z.union([
  z.object({ intent: z.literal("payment"), decision: z.enum(["resolve", "reject"]) }),
  z.object({ refundId: z.string().trim().min(1).max(255), decision: z.enum(["resolve", "reject"]) }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const { session } = await shopify().authenticate.admin(request);
  const locale = localeFromRequest(request);
  const id = routeId(params.id);
  if (!id) return json({ error: "payment not found" }, { status: 404 });
  const back = `/app/transactions/${encodeURIComponent(id)}`;
  const body = await readFormBody(request);
  if (!body.ok) return json({ error: "send a form body: refundId and decision (resolve|reject)" }, { status: body.status });
  const input = decisionSchema.safeParse(body.form);
  if (!input.success) return json({ error: "refundId and decision (resolve|reject) are required" }, { status: 400 });
  const by = session.onlineAccessInfo?.associated_user?.email ?? `merchant:${session.shop}`;
  if (!("refundId" in input.data)) {
    // A payment held for the merchant's review (e.g. amount mismatch).
    const result = await decideFlaggedPayment(paymentDeps(), session.shop, id, input.data.decision, by);
    if (!result.ok) return redirect(withLang(`${back}?error=${decisionError(result.status)}`, locale));
    return redirect(withLang(`${back}?decided=${input.data.decision}`, locale));
  }
  // The refund must belong to THIS payment of THIS shop.
  const refund = await db().refundSession.findFirst({ where: { id: input.data.refundId, shop: session.shop, paymentSessionId: id } });
  if (!refund) return json({ error: "refund not found" }, { status: 404 });
  const result = await decideRefund(paymentDeps(), session.shop, refund.id, input.data.decision, by);
  if (!result.ok) return redirect(withLang(`${back}?error=${decisionError(result.status)}`, locale));
  return redirect(withLang(`${back}?done=${input.data.decision}`, locale));
}

/** A one-paragraph banner in its own layout section (the outcome of a decision, an error, a warning). */
function Notice({ tone, text }: { tone: "success" | "critical"; text: string }) {
  return (
    <Layout.Section>
      <Banner tone={tone}>
        <p>{text}</p>
      </Banner>
    </Layout.Section>
  );
}

/** A card with a heading, in its own layout section. */
function TitledCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Layout.Section>
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {title}
          </Text>
          {children}
        </BlockStack>
      </Card>
    </Layout.Section>
  );
}

/** One button posting the merchant's decision on a payment held for review. */
function PaymentDecisionForm({ decision, label, busy }: { decision: "resolve" | "reject"; label: string; busy: boolean }) {
  return (
    <Form method="post" replace>
      <input type="hidden" name="intent" value="payment" />
      <input type="hidden" name="decision" value={decision} />
      <Button submit {...(decision === "resolve" ? { variant: "primary" as const } : { tone: "critical" as const })} disabled={busy}>
        {label}
      </Button>
    </Form>
  );
}

export default function TransactionDetail() {
  const { locale, payment, refunds, refundWatch, settlements, timeline, done, voidConfirmed, decided, error } = useLoaderData<typeof loader>();
  const t = translator(locale);
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
  const none = t("transactions.none");
  const facts: [string, string][] = [
    [t("transactions.detail.shopifyAmount"), payment.amount],
    [t("transactions.detail.loanAmount"), payment.loanAmount ?? none],
    [t("transactions.detail.soisyStatus"), payment.soisyStatusLabel ?? none],
    [t("transactions.detail.state"), payment.stateLabel],
    ...payment.authorizationFacts,
    [t("transactions.detail.mode"), payment.test ? t("transactions.mode.test") : t("transactions.mode.live")],
    [t("transactions.detail.email"), payment.email ?? none],
    [t("transactions.detail.token"), payment.token ?? none],
    [t("transactions.detail.created"), payment.created],
  ];
  if (payment.flag) facts.push([t("transactions.detail.flag"), payment.flag]);

  return (
    // Session ids are long unbroken words: let them (title, token, email) break instead of widening the page.
    <div style={{ overflowWrap: "anywhere" }}>
      <Page title={t("transactions.detail.title", { id: payment.id })} backAction={{ content: t("transactions.detail.back"), url: withLang("/app/transactions", locale) }}>
        <Layout>
          {decided ? <Notice tone="success" text={t(decided === "resolve" ? "transactions.review.done.resolve" : "transactions.review.done.reject")} /> : null}
          {payment.awaitingDecision ? (
            <Layout.Section>
              <Banner tone="warning" title={t("transactions.review.title")}>
                <p>{t("transactions.review.body")}</p>
                <InlineStack gap="200">
                  <PaymentDecisionForm decision="resolve" label={t("transactions.review.resolve")} busy={busy} />
                  <PaymentDecisionForm decision="reject" label={t("transactions.review.reject")} busy={busy} />
                </InlineStack>
              </Banner>
            </Layout.Section>
          ) : null}
          {done ? <Notice tone="success" text={t(done === "resolve" ? "transactions.refunds.done.resolve" : "transactions.refunds.done.reject")} /> : null}
          {voidConfirmed ? <Notice tone="success" text={t("settle.voidDone")} /> : null}
          {error ? <Notice tone="critical" text={t(error === "notFound" ? "transactions.decision.notFound" : "transactions.decision.alreadyDecided")} /> : null}
          {payment.amountMismatch ? <Notice tone="critical" text={t("transactions.detail.mismatch")} /> : null}
          <TitledCard title={t("transactions.detail.summary")}>
            <dl style={{ display: "grid", gridTemplateColumns: "minmax(7rem, max-content) minmax(0, 1fr)", gap: "0.4rem 1rem", margin: 0 }} data-testid="summary">
              {facts.map(([label, value]) => (
                <div key={label} style={{ display: "contents" }}>
                  <dt style={{ fontWeight: 600 }}>{label}</dt>
                  <dd style={{ margin: 0, overflowWrap: "anywhere" }} data-field={label}>
                    {value}
                  </dd>
                </div>
              ))}
            </dl>
          </TitledCard>
          <TitledCard title={t("transactions.refunds.title")}>
            <RefundsList refunds={refunds} paymentId={payment.id} locale={locale} busy={busy} watchingSoisy={refundWatch.watching} lastChecked={refundWatch.lastChecked} />
          </TitledCard>
          {payment.authorization || settlements.length > 0 ? (
            <TitledCard title={t("settle.title")}>
              <SettlementsList items={settlements} locale={locale} busy={busy} />
            </TitledCard>
          ) : null}
          <Layout.Section>
            <Card padding="0">
              <Box padding="400">
                <Text as="h2" variant="headingMd">
                  {t("transactions.timeline.title")}
                </Text>
              </Box>
              {timeline.length === 0 ? (
                <Box padding="400">
                  <Text as="p">{t("transactions.timeline.empty")}</Text>
                </Box>
              ) : (
                <TimelineList entries={timeline} locale={locale} />
              )}
            </Card>
          </Layout.Section>
        </Layout>
      </Page>
    </div>
  );
}
