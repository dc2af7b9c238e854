/** The banner shown on the dashboard and the transactions list when payments need the merchant. */
import { Banner, BlockStack, Layout, Link, Text } from "@shopify/polaris";
import { translator, type Locale } from "~/i18n/i18n";
import { withLang } from "./format";

export function AttentionBanner({ summary, locale }: { summary: { deadMessages: number; flaggedPayments: number; voidsAwaiting?: number }; locale: Locale }) {
  const t = translator(locale);
  const voids = summary.voidsAwaiting ?? 0;
  if (summary.deadMessages === 0 && summary.flaggedPayments === 0 && voids === 0) return null;
  // A whole Layout section, so pages add it without an empty section when there is nothing to say.
  return (
    <Layout.Section>
      <div data-testid="attention-banner">
        <Banner tone="warning" title={t("transactions.banner.title")}>
          <BlockStack gap="100">
            {summary.deadMessages > 0 ? (
              <Text as="p">
                {t("transactions.banner.dead", { count: summary.deadMessages })}{" "}
                <Link url={withLang("/app/transactions?dead=1", locale)}>{t("transactions.banner.deadLink")}</Link>
              </Text>
            ) : null}
            {summary.flaggedPayments > 0 ? (
              <Text as="p">
                {t("transactions.banner.flagged", { count: summary.flaggedPayments })}{" "}
                <Link url={withLang("/app/transactions?flagged=1", locale)}>{t("transactions.banner.flaggedLink")}</Link>
              </Text>
            ) : null}
            {voids > 0 ? (
              <Text as="p">
                {t("transactions.banner.voids", { count: voids })}{" "}
                <Link url={withLang("/app/transactions?settle=merchant", locale)}>{t("transactions.banner.voidsLink")}</Link>
              </Text>
            ) : null}
          </BlockStack>
        </Banner>
      </div>
    </Layout.Section>
  );
}
