/** A settings form of one button that posts an intent ("Invia un'e-mail di prova", "Aggiorna Shopify"), busy while it is sent. */
import { Form } from "@remix-run/react";
import { Button } from "@shopify/polaris";
import { useBusy } from "./form-helpers";

export function IntentForm(props: { intent: string; actionUrl: string; label: string }) {
  const busy = useBusy(props.intent);
  return (
    <Form method="post" action={props.actionUrl}>
      <input type="hidden" name="intent" value={props.intent} />
      <Button submit loading={busy}>
        {props.label}
      </Button>
    </Form>
  );
}
