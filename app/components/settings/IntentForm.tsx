/**
 * A settings form of one button that posts an intent ("Invia un'e-mail di prova", "Aggiorna Shopify",
 * "Verifica", "Rimuovi"), busy while it is sent; with `environment`, the form says which Soisy keys it is
 * about and is busy only for them.
 */
import { Form } from "@remix-run/react";
import { Button } from "@shopify/polaris";
import type { SoisyEnvironment } from "~/settings/settings.server";
import { useBusy } from "./form-helpers";

export function IntentForm(props: {
  intent: string;
  actionUrl: string;
  label: string;
  environment?: SoisyEnvironment;
  /** The button's accessible name when the label alone is ambiguous (two cards with the same buttons). */
  accessibilityLabel?: string;
  critical?: boolean;
}) {
  const busy = useBusy(props.intent, props.environment);
  return (
    <Form method="post" action={props.actionUrl}>
      <input type="hidden" name="intent" value={props.intent} />
      {props.environment ? <input type="hidden" name="environment" value={props.environment} /> : null}
      <Button submit tone={props.critical ? "critical" : undefined} loading={busy} accessibilityLabel={props.accessibilityLabel}>
        {props.label}
      </Button>
    </Form>
  );
}
