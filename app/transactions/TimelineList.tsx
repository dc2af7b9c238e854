/**
 * A payment's timeline for the merchant: one item per entry with its time, who acted and what
 * happened as a sentence; the recorded code and detail sit behind a closed "Dettagli tecnici" /
 * "Technical details" disclosure. A list, not a table, so it reads on a 360 px phone.
 */
import { Text } from "@shopify/polaris";
import { translator, type Locale } from "~/i18n/i18n";
import type { TimelineEntry } from "./timeline";

export function TimelineList({ entries, locale }: { entries: (TimelineEntry & { time: string })[]; locale: Locale }) {
  const t = translator(locale);
  return (
    <ol data-testid="timeline" style={{ listStyle: "none", margin: 0, padding: 0 }}>
      {entries.map((e) => (
        <li
          key={e.id}
          data-kind={e.kind}
          data-outcome={e.outcome ?? undefined}
          data-http-status={e.httpStatus ?? undefined}
          style={{ padding: "0.75rem 1rem", borderTop: "1px solid var(--p-color-border-secondary, #ebebeb)", overflowWrap: "anywhere" }}
        >
          <Text as="p" tone="subdued" variant="bodySm">
            <time dateTime={e.at}>{e.time}</time> · <span data-who>{e.source}</span>
          </Text>
          <p data-sentence style={{ margin: "0.25rem 0" }}>
            {e.tone === "critical" ? (
              <Text as="span" tone="critical" fontWeight="semibold">
                {e.event}
              </Text>
            ) : (
              e.event
            )}
          </p>
          <details>
            <summary style={{ cursor: "pointer", color: "var(--p-color-text-secondary, #616161)", fontSize: "0.8125rem" }}>{t("tl.technical")}</summary>
            <code style={{ display: "block", whiteSpace: "pre-wrap", fontSize: "0.8125rem", marginTop: "0.25rem" }}>
              {e.code}
              {e.details ? `\n${e.details}` : ""}
            </code>
          </details>
        </li>
      ))}
    </ol>
  );
}
