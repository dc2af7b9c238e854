/**
 * The payment page's "Captures and voids" (fund on fulfilment): each capture or void with its amount,
 * state in words and, when refused, Soisy's reason. A void waiting for the merchant says what to do
 * and posts `intent=confirm_void` to /app/settlements/:id (the route confirms it to Shopify).
 */
import { Form } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, InlineStack, Text } from "@shopify/polaris";
import { translator, type Locale } from "~/i18n/i18n";
import { withLang } from "./format";
import type { SettlementItem } from "./settlements-view";

export function SettlementsList({ items, locale, busy }: { items: SettlementItem[]; locale: Locale; busy: boolean }) {
  const t = translator(locale);
  if (items.length === 0) return <Text as="p">{t("settle.empty")}</Text>;
  return (
    <BlockStack gap="300">
      {items.map((s) => (
        <Box key={s.id} padding="300" borderWidth="025" borderColor="border" borderRadius="200">
          <section aria-label={s.title} data-settlement={s.id} data-settlement-kind={s.kind} data-settlement-state={s.state}>
            <BlockStack gap="200">
              <InlineStack gap="200" blockAlign="center">
                <Text as="h3" variant="headingSm">
                  {s.title}
                </Text>
                <Badge tone={s.tone}>{s.stateLabel}</Badge>
              </InlineStack>
              <Text as="p" tone="subdued">
                {t("settle.requestedAt", { date: s.requested })}
                {s.decided ? ` · ${s.decided}` : ""}
              </Text>
              {s.reason ? <Text as="p">{t("settle.reason", { reason: s.reason })}</Text> : null}
              {s.awaitingMerchant ? (
                <>
                  <Text as="p" fontWeight="semibold">
                    {t("settle.voidInstruction")}
                  </Text>
                  <Text as="p">{t("settle.voidHelp")}</Text>
                  <Form method="post" action={withLang(`/app/settlements/${encodeURIComponent(s.id)}`, locale)} aria-label={t("settle.voidInstruction")}>
                    <input type="hidden" name="intent" value="confirm_void" />
                    <Button submit variant="primary" disabled={busy}>
                      {t("settle.confirmVoid")}
                    </Button>
                  </Form>
                </>
              ) : null}
            </BlockStack>
          </section>
        </Box>
      ))}
    </BlockStack>
  );
}
