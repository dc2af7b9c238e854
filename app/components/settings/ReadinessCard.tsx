/**
 * The settings page's "Readiness at Shopify" card: whether Shopify knows the shop is ready, what is
 * missing, a retry when Shopify has not accepted the current state yet, and the link to activate the
 * payment method in Shopify's admin.
 */
import { Badge, Link, List, Text } from "@shopify/polaris";
import type { CredentialStatus } from "~/settings/settings.server";
import { SectionCard } from "../SectionCard";
import type { T } from "./form-helpers";
import { IntentForm } from "./IntentForm";

export function ReadinessCard(props: {
  t: T;
  readiness: { ready: boolean; wanted: boolean; inSync: boolean; missing: string[] };
  productionStatus: CredentialStatus;
  adminUrl: string;
  actionUrl: string;
}) {
  const { t, readiness } = props;
  return (
    <SectionCard
      title={t("settings.readiness.title")}
      badge={
        <Badge tone={readiness.ready ? "success" : "attention"}>
          {readiness.ready ? t("settings.readiness.badgeReady") : t("settings.readiness.badgeNotReady")}
        </Badge>
      }
    >
      <Text as="p">{readiness.ready ? t("settings.readiness.ready") : t("settings.readiness.notReady")}</Text>
      {readiness.missing.length > 0 || !readiness.inSync ? (
        <List>
          {readiness.missing.includes("production_credentials") ? <List.Item>{t("settings.readiness.missingProduction")}</List.Item> : null}
          {readiness.missing.includes("production_unverified") ? (
            <List.Item>
              {props.productionStatus === "rejected" ? t("settings.readiness.rejectedProduction") : t("settings.readiness.unverifiedProduction")}
            </List.Item>
          ) : null}
          {!readiness.inSync ? <List.Item>{t("settings.readiness.outOfSync")}</List.Item> : null}
        </List>
      ) : null}
      {!readiness.inSync ? (
        <IntentForm intent="syncReadiness" actionUrl={props.actionUrl} label={t("settings.readiness.retry")} />
      ) : null}
      <Text as="p">{t("settings.readiness.activate")}</Text>
      <Link url={props.adminUrl} target="_blank">
        {t("settings.readiness.link")}
      </Link>
    </SectionCard>
  );
}
