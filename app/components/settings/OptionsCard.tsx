/**
 * The settings page's "Payment options" card: the amount range (with the typed amount shown back in
 * the admin's money format), integration level, when a payment is confirmed, pending expiry, widget
 * instalments, countries, excluded products and the switches. Field ids and names are the option's.
 */
import { Form } from "@remix-run/react";
import { Box, Button, Checkbox, FormLayout, Select, TextField } from "@shopify/polaris";
import { useState } from "react";
import type { Locale } from "~/i18n/i18n";
import type { MessageKey } from "~/i18n/messages";
import { formatMoney } from "~/i18n/money";
import type { FieldError, FieldErrors, OptionField, OptionsFormValues } from "~/settings/settings-form";
import { parseDecimalToCents } from "~/money/cents";
import { SectionCard } from "../SectionCard";
import { errorText, useBusy, type T } from "./form-helpers";

/**
 * What an amount field holds, in the admin's money format ("€ 15.000,00"), or null while it is not
 * an amount. Reads what the options form accepts (settings-form.ts parseEuroInput: "150.50",
 * "150,50", an optional €), client-side.
 */
function typedAmount(raw: string, locale: Locale): string | null {
  let text = raw.trim().replace(/^€\s*|\s*€$/g, "");
  if (text.includes(",")) {
    if (text.includes(".") || text.indexOf(",") !== text.lastIndexOf(",")) return null;
    text = text.replace(",", ".");
  }
  try {
    return formatMoney(parseDecimalToCents(text), "EUR", locale);
  } catch {
    return null;
  }
}

type Switch = "excludeGiftCards" | "zeroInterest" | "autoResolveRefunds";

export function OptionsCard(props: {
  t: T;
  locale: Locale;
  actionUrl: string;
  amountLimits: { min: string; max: string };
  initial: OptionsFormValues;
  errors: FieldErrors<OptionField>;
}) {
  const { t, errors } = props;
  const [v, setV] = useState<OptionsFormValues>(props.initial);
  const set = (field: OptionField) => (value: string) => setV((old) => ({ ...old, [field]: value }));
  const toggle = (field: OptionField) => (checked: boolean) => setV((old) => ({ ...old, [field]: checked ? "on" : "" }));
  const saving = useBusy("saveOptions");
  const amountHelp = (raw: string) => {
    const typed = typedAmount(raw, props.locale);
    const range = t("settings.options.amountHelp", props.amountLimits);
    return typed ? `${t("settings.options.amountIs", { amount: typed })} ${range}` : range;
  };
  // The range error names the limits in the same money format as the rest of the admin.
  const amountError = (error: FieldError | undefined) => (error?.key === "settings.error.amountRange" ? t(error.key, props.amountLimits) : errorText(t, error));

  const textField = (field: OptionField, more: { helpText: string; inputMode?: "decimal" | "numeric"; error?: string | undefined }) => (
    <TextField
      id={field}
      name={field}
      label={t(`settings.options.${field}`)}
      value={v[field]}
      onChange={set(field)}
      autoComplete="off"
      error={errorText(t, errors[field])}
      {...more}
    />
  );
  const amountField = (field: "minAmount" | "maxAmount") =>
    textField(field, { inputMode: "decimal", helpText: amountHelp(v[field]), error: amountError(errors[field]) });
  const select = (field: "integrationLevel" | "resolveOn" | "fundOn", choices: [value: string, label: MessageKey][], helpText?: string) => (
    <Select
      id={field}
      name={field}
      label={t(`settings.options.${field}`)}
      {...(helpText ? { helpText } : {})}
      options={choices.map(([value, label]) => ({ label: t(label), value }))}
      value={v[field]}
      onChange={set(field)}
      error={errorText(t, errors[field])}
    />
  );
  const checkbox = (field: Switch) => (
    <Box>
      <Checkbox
        id={field}
        name={field}
        value="on"
        label={t(`settings.options.${field}`)}
        checked={v[field] === "on"}
        onChange={toggle(field)}
        error={errorText(t, errors[field])}
      />
    </Box>
  );

  return (
    <SectionCard title={t("settings.options.title")}>
      <Form method="post" action={props.actionUrl} aria-label={t("settings.options.title")}>
        <input type="hidden" name="intent" value="saveOptions" />
        <FormLayout>
          <FormLayout.Group>
            {amountField("minAmount")}
            {amountField("maxAmount")}
          </FormLayout.Group>
          <FormLayout.Group>
            {select("integrationLevel", [
              ["redirect", "settings.options.integration.redirect"],
              ["preapproval", "settings.options.integration.preapproval"],
            ])}
            {select("resolveOn", [
              ["verified", "settings.options.resolveOn.verified"],
              ["disbursed", "settings.options.resolveOn.disbursed"],
            ])}
          </FormLayout.Group>
          <FormLayout.Group>
            {textField("pendingExpiryDays", { inputMode: "numeric", helpText: t("settings.options.pendingExpiryHelp") })}
            {textField("widgetInstalments", { inputMode: "numeric", helpText: t("settings.options.widgetInstalmentsHelp") })}
          </FormLayout.Group>
          <FormLayout.Group>
            {select(
              "fundOn",
              [
                ["approval", "settings.options.fundOn.approval"],
                ["fulfilment", "settings.options.fundOn.fulfilment"],
              ],
              t("settings.options.fundOnHelp"),
            )}
            {textField("authorizationDays", { inputMode: "numeric", helpText: t("settings.options.authorizationDaysHelp") })}
          </FormLayout.Group>
          {textField("allowedCountries", { helpText: t("settings.options.allowedCountriesHelp") })}
          {textField("excludedProductTags", { helpText: t("settings.options.excludedProductTagsHelp") })}
          {checkbox("excludeGiftCards")}
          {checkbox("zeroInterest")}
          {checkbox("autoResolveRefunds")}
          <Button submit variant="primary" loading={saving}>
            {t("settings.options.save")}
          </Button>
        </FormLayout>
      </Form>
    </SectionCard>
  );
}
