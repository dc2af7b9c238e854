/**
 * The settings page's "Alerts and Soisy data" card (issue 16): the alert e-mail, its language, one
 * mail per alert or a daily digest, refunds settled from Soisy's data, the days before a missing Soisy
 * payout is reported, and "send a test e-mail". Says so when this server has no SMTP configured.
 */
import { Form } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Checkbox, FormLayout, Select, TextField } from "@shopify/polaris";
import { useState } from "react";
import type { MessageKey } from "~/i18n/messages";
import type { AlertField, AlertFormValues } from "~/settings/alert-settings-form";
import type { FieldErrors } from "~/settings/settings-form";
import { SectionCard } from "../SectionCard";
import { errorText, useBusy, type T } from "./form-helpers";
import { IntentForm } from "./IntentForm";

export function AlertsCard(props: { t: T; actionUrl: string; initial: AlertFormValues; errors: FieldErrors<AlertField>; mailConfigured: boolean; savedEmail: boolean }) {
  const { t, errors } = props;
  const [v, setV] = useState<AlertFormValues>(props.initial);
  const set = (field: AlertField) => (value: string) => setV((old) => ({ ...old, [field]: value }));
  const saving = useBusy("saveAlerts");
  // What every text field and select of the form shares: its id and name, label, value, change and error.
  const field = (name: AlertField, label: MessageKey) => ({ id: name, name, label: t(label), value: v[name], onChange: set(name), error: errorText(t, errors[name]) });
  const options = (choices: [value: string, label: MessageKey][]) => choices.map(([value, label]) => ({ label: t(label), value }));

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
            <TextField {...field("alertEmail", "settings.alerts.email")} type="email" helpText={t("settings.alerts.emailHelp")} autoComplete="email" />
            <FormLayout.Group>
              <Select
                {...field("alertLocale", "settings.alerts.locale")}
                options={options([
                  ["it", "settings.alerts.locale.it"],
                  ["en", "settings.alerts.locale.en"],
                ])}
              />
              <Select
                {...field("alertDigest", "settings.alerts.digest")}
                options={options([
                  ["each", "settings.alerts.digest.off"],
                  ["daily", "settings.alerts.digest.on"],
                ])}
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
              {...field("payoutGraceDays", "settings.alerts.payoutGraceDays")}
              inputMode="numeric"
              helpText={t("settings.alerts.payoutGraceDaysHelp")}
              autoComplete="off"
            />
            <Button submit variant="primary" loading={saving}>
              {t("settings.alerts.save")}
            </Button>
          </FormLayout>
        </Form>
        {props.mailConfigured && props.savedEmail ? (
          <IntentForm intent="sendTestAlert" actionUrl={props.actionUrl} label={t("settings.alerts.sendTest")} />
        ) : null}
      </BlockStack>
    </SectionCard>
  );
}
