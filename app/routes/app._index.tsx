import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, Layout, Page, Text } from "@shopify/polaris";
import { shopify } from "~/shopify.server";
import { db } from "~/db.server";
import { ensureShopSettings, getShopSettings } from "~/settings/settings.server";
import { localeFromRequest, translator } from "~/i18n/i18n";
import { formatMoney } from "~/i18n/money";
import { attentionSummary } from "~/transactions/query.server";
import { AttentionBanner } from "~/transactions/AttentionBanner";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${translator(data?.locale ?? "it")("dashboard.title")} — ${translator(data?.locale ?? "it")("app.name")}` }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await shopify().authenticate.admin(request);
  await ensureShopSettings(db(), session.shop);
  const settings = await getShopSettings(db(), session.shop);
  const payments = await db().paymentSession.count({ where: { shop: session.shop } });
  const attention = await attentionSummary(db(), session.shop);
  return { shop: session.shop, settings: settings!, payments, attention, locale: localeFromRequest(request) };
}

export default function Dashboard() {
  const { settings, payments, attention, locale } = useLoaderData<typeof loader>();
  const t = translator(locale);
  const env = (name: "sandbox" | "production") => {
    const c = settings.credentials[name];
    return c.soisyShopId && c.apiKeySet;
  };
  return (
    <Page title={t("dashboard.title")}>
      <Layout>
        <AttentionBanner summary={attention} locale={locale} />
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
              <Text as="p">{t("dashboard.payments", { count: payments })}</Text>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
