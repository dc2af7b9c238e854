/**
 * The payment page's refunds: each refund with its amount, state in words and who decided it. A refund
 * awaiting the merchant says what to do at Soisy and posts "Refunded at Soisy" / "Decline" to the
 * payment page (the route hands it to decideRefund); when the shop lets the app settle refunds from
 * Soisy's data (ShopSettings.settleRefundsFromSoisy), it also says the app is watching Soisy for it.
 */
import { Form } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, InlineStack, Text } from "@shopify/polaris";
import { translator, type Locale } from "~/i18n/i18n";
import { withLang } from "./format";

export interface RefundItem {
  id: string;
  amount: string;
  state: string;
  stateLabel: string;
  requested: string;
  decidedBy: string | null;
  decidedAt: string | null;
}

export interface RefundsListProps {
  refunds: RefundItem[];
  paymentId: string;
  locale: Locale;
  busy: boolean;
  /** The app reads Soisy for refunds awaiting the merchant (the shop's setting). */
  watchingSoisy: boolean;
  /** When the app last read Soisy's order of this payment, formatted (null: never). */
  lastChecked: string | null;
}

export function RefundsList({ refunds, paymentId, locale, busy, watchingSoisy, lastChecked }: RefundsListProps) {
  const t = translator(locale);
  if (refunds.length === 0) return <Text as="p">{t("transactions.refunds.none")}</Text>;
  return (
    <>
      {refunds.map((r) => (
        <Box key={r.id} padding="300" borderWidth="025" borderColor="border" borderRadius="200">
          <section aria-label={t("transactions.refunds.amount", { amount: r.amount })} data-refund={r.id} data-refund-state={r.state}>
            <BlockStack gap="200">
              <InlineStack gap="200" blockAlign="center">
                <Text as="h3" variant="headingSm">
                  {t("transactions.refunds.amount", { amount: r.amount })}
                </Text>
                <Badge tone={r.state === "resolved" ? "success" : r.state === "rejected" ? "critical" : r.state === "awaiting_merchant" ? "attention" : "info"}>{r.stateLabel}</Badge>
              </InlineStack>
              <Text as="p" tone="subdued">
                {t("transactions.refunds.requested", { date: r.requested })}
                {r.decidedBy && r.decidedAt ? ` · ${t("transactions.refunds.decided", { by: r.decidedBy, date: r.decidedAt })}` : ""}
              </Text>
              {r.state === "awaiting_merchant" ? (
                <>
                  <Text as="p">{t("transactions.refunds.howTo")}</Text>
                  {watchingSoisy ? (
                    <div data-testid="refund-watching">
                      <Text as="p">{t("transactions.refunds.watching")}</Text>
                      {lastChecked ? (
                        <Text as="p" tone="subdued">
                          {t("transactions.refunds.lastChecked", { date: lastChecked })}
                        </Text>
                      ) : null}
                    </div>
                  ) : null}
                  <InlineStack gap="200">
                    {(["resolve", "reject"] as const).map((decision) => (
                      <Form key={decision} method="post" action={withLang(`/app/transactions/${encodeURIComponent(paymentId)}`, locale)}>
                        <input type="hidden" name="refundId" value={r.id} />
                        <input type="hidden" name="decision" value={decision} />
                        <Button submit variant={decision === "resolve" ? "primary" : undefined} tone={decision === "reject" ? "critical" : undefined} disabled={busy}>
                          {t(decision === "resolve" ? "transactions.refunds.resolve" : "transactions.refunds.reject")}
                        </Button>
                      </Form>
                    ))}
                  </InlineStack>
                </>
              ) : null}
            </BlockStack>
          </section>
        </Box>
      ))}
    </>
  );
}
