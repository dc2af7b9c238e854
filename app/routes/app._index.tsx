import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Card, Layout, Page, Text } from "@shopify/polaris";
import { shopify } from "~/shopify.server";
import { db } from "~/db.server";
import { databaseKind, databaseUrl } from "~/db/database-url";
import { ensureShopSettings, getShopSettings } from "~/settings/settings.server";
import { localeFromRequest, translator } from "~/i18n/i18n";
import { formatMoney } from "~/i18n/money";
import { attentionSummary } from "~/transactions/query.server";
import { AttentionBanner } from "~/transactions/AttentionBanner";
import { parsePeriod } from "~/dashboard/period";
import { dashboardMetrics } from "~/dashboard/metrics.server";
import { dashboardView } from "~/dashboard/view";
import { DailyChart } from "~/dashboard/DailyChart";
import { FiguresCard } from "~/dashboard/FiguresCard";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${translator(data?.locale ?? "it")("dashboard.title")} — ${translator(data?.locale ?? "it")("app.name")}` }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await shopify().authenticate.admin(request);
  await ensureShopSettings(db(), session.shop);
  const settings = (await getShopSettings(db(), session.shop))!;
  const locale = localeFromRequest(request);
  // Live payments once the shop is ready for production and has taken one, test payments before (a shop
  // still trying Soisy out sees its tries, not zeros); ?mode= picks either.
  const liveTaken = settings.ready && (await db().paymentSession.findFirst({ where: { shop: session.shop, test: false }, select: { id: true } })) !== null;
  const period = parsePeriod(new URL(request.url).searchParams, new Date(), liveTaken ? "live" : "test");
  const [attention, metrics] = await Promise.all([
    attentionSummary(db(), session.shop),
    dashboardMetrics(db(), databaseKind(databaseUrl()), session.shop, period),
  ]);
  return { settings, attention, locale, view: dashboardView(metrics, period, locale) };
}

export default function Dashboard() {
  const { settings, attention, locale, view } = useLoaderData<typeof loader>();
  const t = translator(locale);
  const env = (name: "sandbox" | "production") => {
    const c = settings.credentials[name];
    return c.soisyShopId && c.apiKeySet;
  };
  return (
    <Page title={t("dashboard.title")}>
      <Layout>
        {/* Open items first: what needs the merchant. */}
        <AttentionBanner summary={attention} locale={locale} />
        {view.problem ? (
          <Layout.Section>
            <div data-testid="period-problem">
              <Banner tone="info">{view.problem}</Banner>
            </div>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <FiguresCard view={view} locale={locale} />
        </Layout.Section>
        <Layout.Section>
          <Card>
            <DailyChart days={view.days} locale={locale} />
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="p">{settings.ready ? t("dashboard.ready") : t("dashboard.notReady")}</Text>
              <Text as="p">
                {t("dashboard.sandbox")}: <Badge tone={env("sandbox") ? "success" : "attention"}>{env("sandbox") ? t("dashboard.configured") : t("dashboard.missing")}</Badge>
              </Text>
              <Text as="p">
                {t("dashboard.production")}: <Badge tone={env("production") ? "success" : "attention"}>{env("production") ? t("dashboard.configured") : t("dashboard.missing")}</Badge>
              </Text>
              <Text as="p">
                {t("dashboard.amountRange", { min: formatMoney(settings.minAmountCents, "EUR", locale), max: formatMoney(settings.maxAmountCents, "EUR", locale) })}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
