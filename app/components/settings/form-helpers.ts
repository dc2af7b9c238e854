/** What the settings page's cards share: the translator's type, field error texts, the busy state of a form. */
import { useNavigation } from "@remix-run/react";
import type { translator } from "~/i18n/i18n";
import type { FieldError } from "~/settings/settings-form";
import type { SoisyEnvironment } from "~/settings/settings.server";

export type T = ReturnType<typeof translator>;

export function errorText(t: T, error: FieldError | undefined): string | undefined {
  return error ? t(error.key, error.params) : undefined;
}

/** Is this intent's form (for this environment, when given) being submitted right now? */
export function useBusy(intent: string, env?: SoisyEnvironment): boolean {
  const navigation = useNavigation();
  return (
    navigation.state === "submitting" &&
    navigation.formData?.get("intent") === intent &&
    (env === undefined || navigation.formData.get("environment") === env)
  );
}
