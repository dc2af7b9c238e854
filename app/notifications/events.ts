/**
 * THE list of what is e-mailed to the merchant (docs/alerts.md). Each kind says where the producer
 * finds it: a timeline row type, a refund waiting for the merchant, or Soisy refusing the shop's
 * credentials. Left out on purpose: `confirmation_overdue` (it settles by itself within 24 hours:
 * Shopify answers or the payment is rejected). Pure: no I/O.
 */
import { OUTBOX_DEAD_LETTER_EVENT } from "~/payments/outbox-keys";

/** Timeline row types that become one mail each, and the mail's kind. */
export const TIMELINE_KINDS = {
  "alert:amount_mismatch": "amount_mismatch",
  "alert:loan_after_reject": "loan_after_reject",
  "alert:pending_past_expiry": "pending_past_expiry",
  "alert:cancelled_after_resolve": "cancelled_after_resolve",
  "alert:duplicate_loan_in_group": "duplicate_loan_in_group",
  "alert:confirmation_rejected": "confirmation_rejected",
  "alert:disbursed_without_capture": "disbursed_without_capture",
  "alert:unknown_soisy_status": "unknown_soisy_status",
  "alert:void_requested": "void_requested",
  [OUTBOX_DEAD_LETTER_EVENT]: "dead_letter",
} as const;

export type TimelineKind = (typeof TIMELINE_KINDS)[keyof typeof TIMELINE_KINDS];
export type NotificationKind = TimelineKind | "refund_requested" | "credentials_rejected";

export const NOTIFICATION_KINDS: readonly NotificationKind[] = [...Object.values(TIMELINE_KINDS), "refund_requested", "credentials_rejected"];

export function isNotificationKind(value: string): value is NotificationKind {
  return (NOTIFICATION_KINDS as readonly string[]).includes(value);
}

/** What a notification row keeps (detailJson): amounts and ids only, never the shopper's data. */
export interface NotificationDetail {
  amountCents?: number;
  currency?: string;
  refundAmountCents?: number;
  loanAmountCents?: number;
  environment?: string;
  /** When the event happened (ISO). */
  at: string;
}

/** One notification per event: the timeline row's id, the refund's id, the rejection's instant. */
export const eventKeys = {
  timeline: (timelineId: string) => `timeline:${timelineId}`,
  refund: (refundId: string) => `refund:${refundId}`,
  credentials: (shop: string, environment: string, rejectedAt: Date) => `credentials:${shop}:${environment}:${rejectedAt.toISOString()}`,
};
