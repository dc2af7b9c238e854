/**
 * The settings page's "Alerts and Soisy data" card (issue 16): the alert e-mail, its language, one
 * mail per alert or a daily digest, refunds settled from Soisy's data, the days before a missing Soisy
 * payout is reported, and "send a test e-mail". Says so when this server has no SMTP configured.
 */
import { Form } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Checkbox, FormLayout, Select, TextField } from "@shopify/polaris";
import { useState } from "react";
import type { AlertField, AlertFormValues } from "~/settings/alert-settings-form";
import type { FieldErrors } from "~/settings/settings-form";
import { SectionCard } from "../SectionCard";
import { errorText, useBusy, type T } from "./form-helpers";

export function AlertsCard(props: { t: T; actionUrl: string; initial: AlertFormValues; errors: FieldErrors<AlertField>; mailConfigured: boolean; savedEmail: boolean }) {
  const { t, errors } = props;
  const [v, setV] = useState<AlertFormValues>(props.initial);
  const set = (field: AlertField) => (value: string) => setV((old) => ({ ...old, [field]: value }));
  const saving = useBusy("saveAlerts");
  const testing = useBusy("sendTestAlert");

  return (
    <SectionCard title={t("settings.alerts.title")}>
      <BlockStack gap="400">
        {props.mailConfigured ? null : (
          <div data-mail-not-configured="">
            <Banner tone="warning">
              <p>{t("settings.alerts.notConfigured")}</p>
            </Banner>
          </div>
        )}
        {/* noValidate: the server checks the address and shows its error inline, in the page's language. */}
        <Form method="post" action={props.actionUrl} aria-label={t("settings.alerts.title")} noValidate>
          <input type="hidden" name="intent" value="saveAlerts" />
          <FormLayout>
            <TextField
              id="alertEmail"
              name="alertEmail"
              type="email"
              label={t("settings.alerts.email")}
              helpText={t("settings.alerts.emailHelp")}
              value={v.alertEmail}
              onChange={set("alertEmail")}
              autoComplete="email"
              error={errorText(t, errors.alertEmail)}
            />
            <FormLayout.Group>
              <Select
                id="alertLocale"
                name="alertLocale"
                label={t("settings.alerts.locale")}
                options={[
                  { label: t("settings.alerts.locale.it"), value: "it" },
                  { label: t("settings.alerts.locale.en"), value: "en" },
                ]}
                value={v.alertLocale}
                onChange={set("alertLocale")}
                error={errorText(t, errors.alertLocale)}
              />
              <Select
                id="alertDigest"
                name="alertDigest"
                label={t("settings.alerts.digest")}
                options={[
                  { label: t("settings.alerts.digest.off"), value: "each" },
                  { label: t("settings.alerts.digest.on"), value: "daily" },
                ]}
                value={v.alertDigest}
                onChange={set("alertDigest")}
                error={errorText(t, errors.alertDigest)}
              />
            </FormLayout.Group>
            <Box>
              <Checkbox
                id="settleRefundsFromSoisy"
                name="settleRefundsFromSoisy"
                value="on"
                label={t("settings.alerts.settleRefundsFromSoisy")}
                helpText={t("settings.alerts.settleRefundsFromSoisyHelp")}
                checked={v.settleRefundsFromSoisy === "on"}
                onChange={(checked) => setV((old) => ({ ...old, settleRefundsFromSoisy: checked ? "on" : "" }))}
              />
            </Box>
            <TextField
              id="payoutGraceDays"
              name="payoutGraceDays"
              inputMode="numeric"
              label={t("settings.alerts.payoutGraceDays")}
              helpText={t("settings.alerts.payoutGraceDaysHelp")}
              value={v.payoutGraceDays}
              onChange={set("payoutGraceDays")}
              autoComplete="off"
              error={errorText(t, errors.payoutGraceDays)}
            />
            <Button submit variant="primary" loading={saving}>
              {t("settings.alerts.save")}
            </Button>
          </FormLayout>
        </Form>
        {props.mailConfigured && props.savedEmail ? (
          <Form method="post" action={props.actionUrl}>
            <input type="hidden" name="intent" value="sendTestAlert" />
            <Button submit loading={testing}>
              {t("settings.alerts.sendTest")}
            </Button>
          </Form>
        ) : null}
      </BlockStack>
    </SectionCard>
  );
}
