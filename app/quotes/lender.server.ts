/**
 * The lender shown next to every offer, from the operator's configuration (LENDER_* variables,
 * docs/configuration.md): the widget, the settings preview and the in-store pre-approval pages never
 * carry a lender identity of their own (docs/compliance.md).
 */
import { appConfig, type AppConfig } from "~/config.server";
import type { LenderInfo } from "./widget-quote";

export function lenderInfo(
  config: Pick<AppConfig, "LENDER_NAME" | "LENDER_REGISTRATION" | "LENDER_TRANSPARENCY_URL" | "LENDER_PRIVACY_URL" | "LENDER_CONTACT_URL"> = appConfig(),
): LenderInfo {
  return {
    name: config.LENDER_NAME,
    registration: config.LENDER_REGISTRATION,
    transparencyUrl: config.LENDER_TRANSPARENCY_URL,
    privacyUrl: config.LENDER_PRIVACY_URL,
    contactUrl: config.LENDER_CONTACT_URL,
  };
}
