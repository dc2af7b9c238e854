/**
 * The period's figures (a description list: each figure's name, then its value) and the period form
 * (a plain GET form: from, to, live/test; it works before the page's JavaScript has loaded).
 */
import { BlockStack, Card, InlineStack, Link, Text } from "@shopify/polaris";
import { translator, type Locale } from "~/i18n/i18n";
import { MAX_PERIOD_DAYS } from "./period";
import type { DashboardView } from "./view";

const field = { display: "flex", flexDirection: "column", gap: 4, fontSize: 13 } as const;
const input = { font: "inherit", padding: "6px 8px", border: "1px solid #8a8a8a", borderRadius: 8, minHeight: 32, background: "#fff" } as const;

export function FiguresCard({ view, locale }: { view: DashboardView; locale: Locale }) {
  const t = translator(locale);
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingLg">
          {view.title}
        </Text>
        <form method="get" action="/app" aria-label={t("metrics.period.legend")}>
          <input type="hidden" name="lang" value={locale} />
          <div style={{ display: "flex", flexWrap: "wrap", gap: 12, alignItems: "flex-end" }}>
            <label style={field}>
              {t("metrics.period.from")}
              <input style={input} type="date" name="from" defaultValue={view.from} required />
            </label>
            <label style={field}>
              {t("metrics.period.to")}
              <input style={input} type="date" name="to" defaultValue={view.to} required />
            </label>
            <label style={field}>
              {t("metrics.period.mode")}
              <select style={input} name="mode" defaultValue={view.mode}>
                <option value="live">{t("metrics.modeLive")}</option>
                <option value="test">{t("metrics.modeTest")}</option>
              </select>
            </label>
            <button type="submit" style={{ ...input, cursor: "pointer", fontWeight: 600, background: "#303030", color: "#fff", borderColor: "#303030" }}>
              {t("metrics.period.show")}
            </button>
            {view.isDefault ? null : <Link url={`/app?lang=${locale}&mode=${view.mode}`}>{t("metrics.thisMonth")}</Link>}
          </div>
          <Text as="p" tone="subdued">
            {t("metrics.period.help", { max: MAX_PERIOD_DAYS })}
          </Text>
        </form>
        <dl data-testid="figures" style={{ display: "grid", gridTemplateColumns: "repeat(auto-fit, minmax(150px, 1fr))", gap: 12, margin: 0 }}>
          {view.figures.map((f) => (
            <div key={f.key} data-metric={f.key} style={{ border: "1px solid #e3e3e3", borderRadius: 8, padding: "8px 12px" }}>
              <dt style={{ fontSize: 13, color: "#616161" }}>{f.label}</dt>
              <dd data-value style={{ margin: 0, fontSize: 20, fontWeight: 650 }}>
                {f.value}
              </dd>
              {f.note ? <dd style={{ margin: 0, fontSize: 12, color: "#616161" }}>{f.note}</dd> : null}
            </div>
          ))}
        </dl>
        <InlineStack>
          <Text as="p" tone="subdued">
            {t("metrics.definitions")}
          </Text>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}
