/**
 * "Pagamenti Soisy" / "Soisy payouts" (issue 16): each Shopify payment beside what Soisy lent, paid out
 * and kept, with the differences to look at (app/payouts/reconcile.ts); filters (period, only
 * differences), 100 lines a page (newest first; the totals count every line of the filter), the same
 * lines as CSV (all of them), the last read of Soisy's order list and a "sync now" button.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { Banner, BlockStack, Button, Card, Checkbox, DataTable, InlineStack, Layout, Link, Page, Pagination, Text, TextField } from "@shopify/polaris";
import { shopify } from "~/shopify.server";
import { db } from "~/db.server";
import { localeFromRequest, translator, type Locale, type MessageKey } from "~/i18n/i18n";
import { formatDateTime, withLang } from "~/transactions/format";
import { parsePayoutFilters, parsePayoutPage, payoutPage, payoutSyncStates, type PayoutFilters } from "~/payouts/query.server";
import { payoutRangeText, payoutRowsView, payoutTotalsText } from "~/payouts/view";
import { syncShopNow } from "~/payouts/sync-now.server";
import { SKIPPED_ROWS_PREFIX } from "~/payouts/sync.server";
import { paymentDeps } from "~/runtime.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const t = translator(data?.locale ?? "it");
  return [{ title: `${t("payouts.title")} — ${t("app.name")}` }];
};

/** The filters (and, for the page's own links, the page: the CSV has every line) as a query string. */
function filterQuery(filters: PayoutFilters, locale: Locale, page = 1): string {
  const params = new URLSearchParams();
  if (filters.from) params.set("from", filters.from);
  if (filters.to) params.set("to", filters.to);
  if (filters.diff) params.set("diff", "1");
  if (page > 1) params.set("page", String(page));
  params.set("lang", locale);
  return `?${params.toString()}`;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await shopify().authenticate.admin(request);
  const locale = localeFromRequest(request);
  const t = translator(locale);
  const url = new URL(request.url);
  const filters = parsePayoutFilters(url.searchParams);
  const [result, syncs] = await Promise.all([
    payoutPage(db(), session.shop, filters, parsePayoutPage(url.searchParams), new Date()),
    payoutSyncStates(db(), session.shop),
  ]);
  const errorText = (error: string) =>
    error.startsWith(SKIPPED_ROWS_PREFIX) ? t("payouts.sync.skipped", { rows: Number(error.slice(SKIPPED_ROWS_PREFIX.length)) || 0 }) : error;
  const envName = (e: string) => t(`payouts.env.${e === "sandbox" ? "sandbox" : "production"}` as MessageKey);
  const syncLines = syncs.flatMap((s) => [
    s.lastSuccessAt ? t("payouts.sync.last", { environment: envName(s.environment), time: formatDateTime(s.lastSuccessAt, locale) }) : t("payouts.sync.never", { environment: envName(s.environment) }),
    ...(s.lastError ? [t("payouts.sync.error", { environment: envName(s.environment), error: errorText(s.lastError) })] : []),
  ]);
  const outcome = url.searchParams.get("sync");
  const notice =
    outcome === "synced"
      ? { tone: "success" as const, text: t("payouts.sync.done", { rows: Number(url.searchParams.get("rows") ?? 0) || 0 }) }
      : outcome === "busy"
        ? { tone: "warning" as const, text: t("payouts.sync.busy") }
        : outcome === "failed"
          ? { tone: "critical" as const, text: t("payouts.sync.failed", { error: errorText(syncs.find((s) => s.lastError)?.lastError ?? "?") }) }
          : outcome === "no_credentials"
            ? { tone: "warning" as const, text: t("payouts.sync.noCredentials") }
            : null;
  return {
    locale,
    filters,
    page: result.page,
    pageCount: result.pageCount,
    rows: payoutRowsView(result.lines, locale, result.graceDays),
    range: payoutRangeText(result, locale),
    totals: payoutTotalsText(result.totals, locale),
    syncLines,
    notice,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await shopify().authenticate.admin(request);
  const locale = localeFromRequest(request);
  const search = new URL(request.url).searchParams;
  const result = await syncShopNow(paymentDeps(), session.shop);
  const query = filterQuery(parsePayoutFilters(search), locale, parsePayoutPage(search));
  return redirect(`/app/payouts${query}&sync=${result.outcome}${result.outcome === "synced" ? `&rows=${result.rows}` : ""}`);
}

export default function Payouts() {
  const { locale, filters, page, pageCount, rows, range, totals, syncLines, notice } = useLoaderData<typeof loader>();
  const t = translator(locale);
  const navigation = useNavigation();
  const query = filterQuery(filters, locale);
  const pageUrl = (n: number) => `/app/payouts${filterQuery(filters, locale, n)}`;
  const tableRows = rows.map((r) => [
    r.date,
    r.paymentId ? (
      <Link key={r.key} url={withLang(`/app/transactions/${encodeURIComponent(r.paymentId)}`, locale)}>
        {r.label}
      </Link>
    ) : (
      <span key={r.key}>{r.label}</span>
    ),
    r.order,
    r.loan,
    r.net,
    r.fee,
    r.refunded,
    r.disbursed,
    r.differences.length ? (
      <ul key="d" style={{ margin: 0, paddingLeft: "1rem", whiteSpace: "normal", minWidth: "14rem", color: "#8e1f0b" }} data-differences={r.differences.length}>
        {r.differences.map((d) => (
          <li key={d}>{d}</li>
        ))}
      </ul>
    ) : (
      t("payouts.ok")
    ),
  ]);
  return (
    <Page title={t("payouts.title")} fullWidth>
      <Layout>
        {notice ? (
          <Layout.Section>
            <Banner tone={notice.tone}>
              <p>{notice.text}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Text as="p">{t("payouts.intro")}</Text>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                {t("payouts.sync.title")}
              </Text>
              {syncLines.length ? syncLines.map((line) => <Text as="p" key={line}>{line}</Text>) : <Text as="p">{t("payouts.sync.none")}</Text>}
              <Form method="post" action={pageUrl(page)}>
                <Button submit loading={navigation.state === "submitting"}>
                  {t("payouts.sync.button")}
                </Button>
              </Form>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <FiltersCard key={JSON.stringify(filters)} filters={filters} locale={locale} csvUrl={`/app/payouts.csv${query}`} />
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            {rows.length === 0 ? (
              <div style={{ padding: "1rem" }}>
                <Text as="p">{t("payouts.empty")}</Text>
              </div>
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "numeric", "numeric", "numeric", "numeric", "numeric", "text", "text"]}
                headings={[
                  t("payouts.col.date"),
                  t("payouts.col.payment"),
                  t("payouts.col.order"),
                  t("payouts.col.loan"),
                  t("payouts.col.net"),
                  t("payouts.col.fee"),
                  t("payouts.col.refunded"),
                  t("payouts.col.disbursed"),
                  t("payouts.col.differences"),
                ]}
                rows={tableRows}
              />
            )}
          </Card>
        </Layout.Section>
        <Layout.Section>
          <BlockStack gap="200">
            {range ? (
              <InlineStack align="space-between" blockAlign="center">
                <Text as="p" tone="subdued">
                  {range}
                </Text>
                <Pagination
                  hasPrevious={page > 1}
                  previousURL={page > 1 ? pageUrl(page - 1) : undefined}
                  previousTooltip={t("payouts.page.prev")}
                  hasNext={page < pageCount}
                  nextURL={page < pageCount ? pageUrl(page + 1) : undefined}
                  nextTooltip={t("payouts.page.next")}
                  accessibilityLabels={{ previous: t("payouts.page.prev"), next: t("payouts.page.next") }}
                  label={t("payouts.page.label", { page, pages: pageCount })}
                />
              </InlineStack>
            ) : null}
            <Text as="p" tone="subdued">
              {totals}
            </Text>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function FiltersCard({ filters, locale, csvUrl }: { filters: PayoutFilters; locale: Locale; csvUrl: string }) {
  const t = translator(locale);
  const [from, setFrom] = useState(filters.from ?? "");
  const [to, setTo] = useState(filters.to ?? "");
  const [diff, setDiff] = useState(filters.diff === "1");
  return (
    <Card>
      <Form method="get" action="/app/payouts" aria-label={t("payouts.filters.title")}>
        <input type="hidden" name="lang" value={locale} />
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("payouts.filters.title")}
          </Text>
          <InlineStack gap="300" wrap blockAlign="end">
            <TextField label={t("payouts.filters.from")} type="date" name="from" value={from} onChange={setFrom} autoComplete="off" />
            <TextField label={t("payouts.filters.to")} type="date" name="to" value={to} onChange={setTo} autoComplete="off" />
            <Checkbox label={t("payouts.filters.diffOnly")} name="diff" value="1" checked={diff} onChange={setDiff} />
          </InlineStack>
          <Text as="p" tone="subdued">
            {t("payouts.filters.help")}
          </Text>
          <InlineStack gap="300">
            <Button submit variant="primary">
              {t("payouts.filters.apply")}
            </Button>
            <Button url={csvUrl}>{t("payouts.filters.csv")}</Button>
          </InlineStack>
        </BlockStack>
      </Form>
    </Card>
  );
}
