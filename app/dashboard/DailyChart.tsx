/**
 * Payments started per day, in plain SVG: one bar per day whose height is the count (a single series:
 * no meaning carried by colour alone). Every bar is focusable (Tab), has a <title> and an accessible
 * name with the day's figures; the same figures are in a table behind a native <details> toggle.
 */
import { BlockStack, Text } from "@shopify/polaris";
import { translator, type Locale } from "~/i18n/i18n";
import { barHeights } from "./metrics";
import type { DayView } from "./view";

const HEIGHT = 160;
const AXIS = 18;
const GAP = 2;

export function DailyChart({ days, locale }: { days: DayView[]; locale: Locale }) {
  const t = translator(locale);
  const heights = barHeights(
    days.map((d) => d.started),
    HEIGHT,
  );
  const max = Math.max(0, ...days.map((d) => d.started));
  // A fixed drawing width (the text keeps its size); a bar is at most 40 units wide.
  const width = 720;
  const slot = days.length > 0 ? Math.min(40, width / days.length) : 40;
  const gap = slot > 6 ? GAP : 0;
  // Up to a month: every day's number; longer: the first day of each month, with the month.
  const axisLabel = (d: DayView) => (days.length <= 31 ? d.shortLabel : d.day.endsWith("-01") ? d.monthLabel : null);
  return (
    <BlockStack gap="300">
      <Text as="h2" variant="headingMd" id="daily-chart-title">
        {t("metrics.chart.title")}
      </Text>
      <Text as="p" tone="subdued" id="daily-chart-description">
        {t("metrics.chart.description")} {max > 0 ? `(${t("metrics.chart.max", { count: max })})` : null}
      </Text>
      {max === 0 ? (
        <Text as="p">{t("metrics.chart.empty")}</Text>
      ) : (
        <div style={{ overflowX: "auto" }}>
          <svg
            data-testid="daily-chart"
            role="group"
            aria-labelledby="daily-chart-title"
            aria-describedby="daily-chart-description"
            viewBox={`0 0 ${width} ${HEIGHT + AXIS}`}
            width="100%"
            style={{ minWidth: 280, display: "block" }}
          >
            {/* Focus is drawn inside the SVG (an outline on a <g> is not drawn everywhere): the day's slot is framed, also when its bar is 0. */}
            <style>
              {".soisy-bar:focus{outline:none}.soisy-bar:focus rect.slot{fill:#f1f1f1;stroke:#000;stroke-width:2}.soisy-bar:focus rect.v,.soisy-bar:hover rect.v{fill:#003a8c}"}
            </style>
            <line x1={0} x2={width} y1={HEIGHT + 0.5} y2={HEIGHT + 0.5} stroke="#8a8a8a" strokeWidth={1} />
            {days.map((d, i) => (
              <g key={d.day} className="soisy-bar" tabIndex={0} role="img" aria-label={d.description} data-day={d.day} data-started={d.started}>
                <title>{d.description}</title>
                {/* The whole slot takes the pointer, the visible bar is the count. */}
                <rect className="slot" x={i * slot} y={0} width={slot} height={HEIGHT} fill="transparent" />
                <rect className="v" x={i * slot + gap / 2} y={HEIGHT - heights[i]!} width={Math.max(0.5, slot - gap)} height={heights[i]!} fill="#005bd3" />
                {axisLabel(d) !== null ? (
                  <text x={i * slot + slot / 2} y={HEIGHT + 13} textAnchor="middle" fontSize={10} fill="#303030" aria-hidden="true">
                    {axisLabel(d)}
                  </text>
                ) : null}
              </g>
            ))}
          </svg>
        </div>
      )}
      <details data-testid="daily-table">
        <summary style={{ cursor: "pointer", color: "#005bd3" }}>{t("metrics.table.show")}</summary>
        <table style={{ borderCollapse: "collapse", marginTop: 8, width: "100%" }}>
          <caption style={{ textAlign: "left", fontWeight: 600, padding: "4px 0" }}>{t("metrics.table.caption")}</caption>
          <thead>
            <tr>
              {(["metrics.table.day", "metrics.table.started", "metrics.table.approved", "metrics.table.financed"] as const).map((key, i) => (
                <th key={key} scope="col" style={{ textAlign: i === 0 ? "left" : "right", borderBottom: "1px solid #e3e3e3", padding: "4px 8px" }}>
                  {t(key)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.day} data-day={d.day}>
                <th scope="row" style={{ textAlign: "left", fontWeight: 400, padding: "2px 8px" }}>
                  {d.label}
                </th>
                <td style={{ textAlign: "right", padding: "2px 8px" }}>{d.started}</td>
                <td style={{ textAlign: "right", padding: "2px 8px" }}>{d.approved}</td>
                <td style={{ textAlign: "right", padding: "2px 8px" }}>{d.financed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </BlockStack>
  );
}
