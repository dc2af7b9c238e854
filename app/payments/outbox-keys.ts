/**
 * The dead-letter timeline row's type and dedupe key, in one place: the outbox worker writes the row
 * (outbox-apply.server.ts) and the operator's "retry a dead message" must find it again. No imports, so
 * any outbox module (or script) can use it without an import cycle.
 */

/** The timeline row a dead message leaves for the merchant (TimelineEvent.type). */
export const OUTBOX_DEAD_LETTER_EVENT = "outbox_dead_letter";

/** The dedupe key of a dead message's timeline row: one row per message. */
export function deadLetterDedupeKey(messageId: string): string {
  return `${OUTBOX_DEAD_LETTER_EVENT}:${messageId}`;
}
