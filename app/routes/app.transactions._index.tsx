/**
 * The merchant's payments: filters (state, test/live, dates, flagged, dead-lettered, payment type,
 * captures and voids in progress or waiting for the merchant), search by
 * Shopify session id, Soisy token or customer email, keyset pagination, CSV export of the filtered
 * list. Every query parameter is validated (filters.ts); a bad one is ignored and said so.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { Badge, Banner, BlockStack, Button, Card, DataTable, InlineStack, Layout, Link, Page, Pagination, Select, Text, TextField } from "@shopify/polaris";
import { shopify } from "~/shopify.server";
import { db } from "~/db.server";
import { localeFromRequest, translator, type Locale } from "~/i18n/i18n";
import { PAYMENT_STATES } from "~/payments/lifecycle";
import { formatMoney } from "~/i18n/money";
import { soisyStatusSentence, stateSentence } from "~/transactions/sentences";
import { filterSearch, parseTransactionQuery } from "~/transactions/filters";
import { attentionSummary, listTransactions } from "~/transactions/query.server";
import { formatDateTime, withLang } from "~/transactions/format";
import { AttentionBanner } from "~/transactions/AttentionBanner";
import { voidAwaitingMerchant } from "~/transactions/settlements-view";

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const t = translator(data?.locale ?? "it");
  return [{ title: `${t("transactions.title")} — ${t("app.name")}` }];
};

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await shopify().authenticate.admin(request);
  const locale = localeFromRequest(request);
  const url = new URL(request.url);
  const query = parseTransactionQuery(url.searchParams);
  const [page, attention] = await Promise.all([listTransactions(db(), session.shop, query), attentionSummary(db(), session.shop)]);
  const rows = page.rows.map((row) => ({
    id: row.id,
    date: formatDateTime(row.createdAt, locale),
    email: row.customerEmail,
    amount: formatMoney(row.amountCents, row.currency, locale),
    state: row.state,
    stateLabel: stateSentence(row.state, locale),
    test: row.test,
    soisyStatus: row.soisyStatus === null ? null : soisyStatusSentence(row.soisyStatus, locale),
    flagged: row.flagReason !== null || row.amountMismatch,
    authorization: row.kind === "authorization",
    voidAwaiting: voidAwaitingMerchant(row.settlements),
  }));
  return { locale, rows, params: query.params, ignored: query.ignored, nextCursor: page.nextCursor, prevCursor: page.prevCursor, attention };
}

/** State and Soisy status are sentences: let them wrap instead of widening the table. */
const SENTENCE_CELL = { display: "inline-block", whiteSpace: "normal", minWidth: "10rem", maxWidth: "16rem" } as const;

export default function Transactions() {
  const { locale, rows, params, ignored, nextCursor, prevCursor, attention } = useLoaderData<typeof loader>();
  const t = translator(locale);
  const none = t("transactions.none");
  const listUrl = (extra: Record<string, string | undefined>) => `/app/transactions${filterSearch(params, { ...extra, lang: locale })}`;
  const csvUrl = `/app/transactions.csv${filterSearch(params, { lang: locale })}`;

  const tableRows = rows.map((row) => [
    row.date,
    <Link key={row.id} url={withLang(`/app/transactions/${encodeURIComponent(row.id)}`, locale)}>
      {row.id}
    </Link>,
    row.email ?? none,
    row.amount,
    <InlineStack key="state" gap="100" wrap={false}>
      <span data-state={row.state} style={SENTENCE_CELL}>
        {row.stateLabel}
      </span>
      {row.flagged ? <Badge tone="critical">{t("transactions.flaggedBadge")}</Badge> : null}
      {row.authorization ? <Badge tone="info">{t("transactions.kindBadge")}</Badge> : null}
      {row.voidAwaiting ? <Badge tone="attention">{t("transactions.voidBadge")}</Badge> : null}
    </InlineStack>,
    row.test ? t("transactions.mode.test") : t("transactions.mode.live"),
    <span key="soisy" style={SENTENCE_CELL}>
      {row.soisyStatus ?? none}
    </span>,
  ]);

  return (
    <Page title={t("transactions.title")} fullWidth>
      <Layout>
        <AttentionBanner summary={attention} locale={locale} />
        {ignored.length > 0 ? (
          <Layout.Section>
            <Banner tone="info">
              <p>{t("transactions.filters.ignored", { names: ignored.join(", ") })}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <FiltersCard key={JSON.stringify(params)} params={params} locale={locale} csvUrl={csvUrl} />
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            {rows.length === 0 ? (
              <div style={{ padding: "1rem" }}>
                <Text as="p">{t("transactions.empty")}</Text>
              </div>
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "text", "numeric", "text", "text", "text"]}
                headings={[
                  t("transactions.col.date"),
                  t("transactions.col.id"),
                  t("transactions.col.email"),
                  t("transactions.col.amount"),
                  t("transactions.col.state"),
                  t("transactions.col.mode"),
                  t("transactions.col.soisyStatus"),
                ]}
                rows={tableRows}
              />
            )}
          </Card>
        </Layout.Section>
        <Layout.Section>
          <InlineStack align="space-between" blockAlign="center">
            <Text as="p" tone="subdued">
              {t("transactions.count", { count: rows.length })}
            </Text>
            <Pagination
              hasPrevious={!!prevCursor}
              previousURL={prevCursor ? listUrl({ before: prevCursor }) : undefined}
              previousTooltip={t("transactions.prev")}
              hasNext={!!nextCursor}
              nextURL={nextCursor ? listUrl({ after: nextCursor }) : undefined}
              nextTooltip={t("transactions.next")}
              accessibilityLabels={{ previous: t("transactions.prev"), next: t("transactions.next") }}
            />
          </InlineStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

/** The filter form (keyed by the applied filters, so its fields follow back/forward navigation). */
function FiltersCard({ params, locale, csvUrl }: { params: Record<string, string>; locale: Locale; csvUrl: string }) {
  const t = translator(locale);
  const [q, setQ] = useState(params.q ?? "");
  const [state, setState] = useState(params.state ?? "");
  const [mode, setMode] = useState(params.mode ?? "");
  const [from, setFrom] = useState(params.from ?? "");
  const [to, setTo] = useState(params.to ?? "");
  const [kind, setKind] = useState(params.kind ?? "");
  const [settle, setSettle] = useState(params.settle ?? "");
  return (
    <Card>
      <Form method="get" action="/app/transactions" aria-label={t("transactions.filters.title")}>
        <input type="hidden" name="lang" value={locale} />
        {params.flagged ? <input type="hidden" name="flagged" value={params.flagged} /> : null}
        {params.dead ? <input type="hidden" name="dead" value={params.dead} /> : null}
        {params.limit ? <input type="hidden" name="limit" value={params.limit} /> : null}
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("transactions.filters.title")}
          </Text>
          <TextField label={t("transactions.filters.search")} name="q" value={q} onChange={setQ} helpText={t("transactions.filters.searchHelp")} autoComplete="off" />
          <InlineStack gap="300" wrap>
            <Select
              label={t("transactions.filters.state")}
              name="state"
              value={state}
              onChange={setState}
              options={[{ label: t("transactions.filters.anyState"), value: "" }, ...PAYMENT_STATES.map((s) => ({ label: stateSentence(s, locale), value: s }))]}
            />
            <Select
              label={t("transactions.filters.mode")}
              name="mode"
              value={mode}
              onChange={setMode}
              options={[
                { label: t("transactions.filters.anyMode"), value: "" },
                { label: t("transactions.mode.test"), value: "test" },
                { label: t("transactions.mode.live"), value: "live" },
              ]}
            />
            <Select
              label={t("transactions.filters.kind")}
              name="kind"
              value={kind}
              onChange={setKind}
              options={[
                { label: t("transactions.filters.anyKind"), value: "" },
                { label: t("transactions.filters.kind.sale"), value: "sale" },
                { label: t("transactions.filters.kind.authorization"), value: "authorization" },
              ]}
            />
            <Select
              label={t("transactions.filters.settle")}
              name="settle"
              value={settle}
              onChange={setSettle}
              options={[
                { label: t("transactions.filters.anySettle"), value: "" },
                { label: t("transactions.filters.settle.open"), value: "open" },
                { label: t("transactions.filters.settle.merchant"), value: "merchant" },
              ]}
            />
            <TextField label={t("transactions.filters.from")} type="date" name="from" value={from} onChange={setFrom} autoComplete="off" />
            <TextField label={t("transactions.filters.to")} type="date" name="to" value={to} onChange={setTo} autoComplete="off" />
          </InlineStack>
          {params.flagged ? <Text as="p">{t("transactions.filters.flagged")}</Text> : null}
          {params.dead ? <Text as="p">{t("transactions.filters.dead")}</Text> : null}
          <InlineStack gap="300" blockAlign="center">
            <Button submit variant="primary">
              {t("transactions.filters.apply")}
            </Button>
            <Link url={withLang("/app/transactions", locale)}>{t("transactions.filters.reset")}</Link>
            {/* A plain link: the export is a file download, not a client-side navigation. */}
            <a href={csvUrl} download style={{ color: "var(--p-color-text-link)" }}>
              {t("transactions.export")}
            </a>
          </InlineStack>
        </BlockStack>
      </Form>
    </Card>
  );
}
