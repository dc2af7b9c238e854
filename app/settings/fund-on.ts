/**
 * "Quando Soisy finanzia" / "When Soisy funds" (issue 15, docs/fund-on-fulfilment.md): at approval
 * (today's flow, the default) or at fulfilment (authorization sessions resolved when Soisy verified the
 * loan, funded on capture; it needs Soisy's suspended-orders contract). No imports: the pure lifecycle,
 * the settings and the eligibility check all read it.
 */
export const FUND_ON_VALUES = ["approval", "fulfilment"] as const;
export type FundOn = (typeof FUND_ON_VALUES)[number];
export const DEFAULT_FUND_ON: FundOn = "approval";

/** How long an authorization may be captured after Soisy verified the loan (days; a setting, Soisy publishes none). */
export const DEFAULT_AUTHORIZATION_DAYS = 30;
/** At most 30 days: the usual card-authorization window merchants know (authorization-days.ts says why). */
export const AUTHORIZATION_DAYS_LIMITS = { min: 1, max: 30 } as const;

export function fundOnOf(value: string | null | undefined): FundOn {
  return value === "fulfilment" ? "fulfilment" : "approval";
}
