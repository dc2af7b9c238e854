/**
 * The settings page's card for one environment's Soisy credentials: its status, the shop id and the
 * write-only API key (the page never receives the stored key, only whether there is one), "Save and
 * verify", "Verify" and "Remove".
 */
import { Form } from "@remix-run/react";
import { Badge, Button, FormLayout, InlineStack, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import type { Locale } from "~/i18n/i18n";
import type { CredentialField, FieldErrors } from "~/settings/settings-form";
import type { CredentialStatus, SoisyEnvironment } from "~/settings/settings.server";
import { SectionCard } from "../SectionCard";
import { errorText, useBusy, type T } from "./form-helpers";
import { IntentForm } from "./IntentForm";

/** One environment's credentials as the page shows them (never the key). */
export interface StoredCredentials {
  soisyShopId: string;
  apiKeySet: boolean;
  verifiedAt: string | null;
  rejectedAt: string | null;
  status: CredentialStatus;
}

function formatDate(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === "it" ? "it-IT" : "en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "Europe/Rome",
  }).format(new Date(iso));
}

const BADGE_TONE = { verified: "success", unverified: "warning", rejected: "critical", missing: "attention" } as const satisfies Record<
  CredentialStatus,
  "success" | "warning" | "critical" | "attention"
>;

/** A one-button form posting `intent` for this environment ("Verify", "Remove"); its label names the card. */
export function CredentialsCard(props: {
  t: T;
  env: SoisyEnvironment;
  locale: Locale;
  stored: StoredCredentials;
  actionUrl: string;
  errors: FieldErrors<CredentialField>;
  shopIdEcho: string | undefined;
}) {
  const { t, env, stored } = props;
  const [shopId, setShopId] = useState(props.shopIdEcho ?? stored.soisyShopId);
  const [apiKey, setApiKey] = useState("");
  const saving = useBusy("saveCredentials", env);
  const status = stored.status;
  const configured = status !== "missing";
  const title = t("settings.credentials.title", { env: t(`settings.env.${env}`) });
  return (
    <SectionCard title={title} badge={<Badge tone={BADGE_TONE[status]}>{t(`settings.credentials.status.${status}`)}</Badge>}>
      <Text as="p">{t("settings.credentials.intro")}</Text>
      {stored.verifiedAt ? <Text as="p">{t("settings.credentials.verifiedAt", { date: formatDate(stored.verifiedAt, props.locale) })}</Text> : null}
      {stored.rejectedAt ? (
        <Text as="p" tone="critical">
          {t("settings.credentials.rejectedAt", { date: formatDate(stored.rejectedAt, props.locale) })}
        </Text>
      ) : null}
      <Form method="post" action={props.actionUrl} aria-label={title}>
        <input type="hidden" name="intent" value="saveCredentials" />
        <input type="hidden" name="environment" value={env} />
        <FormLayout>
          <TextField
            id={`${env}-soisyShopId`}
            name="soisyShopId"
            label={t("settings.credentials.shopId")}
            value={shopId}
            onChange={setShopId}
            autoComplete="off"
            error={errorText(t, props.errors.soisyShopId)}
          />
          <Text as="p" tone="subdued">
            {stored.apiKeySet ? t("settings.credentials.apiKeySet") : t("settings.credentials.apiKeyNotSet")}
          </Text>
          <TextField
            id={`${env}-apiKey`}
            name="apiKey"
            type="password"
            label={t("settings.credentials.apiKey")}
            value={apiKey}
            onChange={setApiKey}
            autoComplete="new-password"
            helpText={stored.apiKeySet ? t("settings.credentials.apiKeyHelpSet") : t("settings.credentials.apiKeyHelpNew")}
            error={errorText(t, props.errors.apiKey)}
          />
          <Button submit variant="primary" loading={saving}>
            {t("settings.credentials.save")}
          </Button>
        </FormLayout>
      </Form>
      {configured ? (
        <InlineStack gap="200">
          <IntentForm intent="verify" environment={env} actionUrl={props.actionUrl} label={t("settings.credentials.verify")} accessibilityLabel={`${t("settings.credentials.verify")}: ${title}`} />
          <IntentForm
            intent="removeCredentials"
            environment={env}
            actionUrl={props.actionUrl}
            label={t("settings.credentials.remove")}
            accessibilityLabel={`${t("settings.credentials.remove")}: ${title}`}
            critical
          />
        </InlineStack>
      ) : null}
    </SectionCard>
  );
}
