/**
 * The settings page's "Widget preview": the storefront widget's own markup (the same structure as
 * extensions/soisy-widget/snippets/soisy-widget.liquid, texts from the extension's locales, read by the
 * loader: nothing under extensions/ is imported into the browser bundle), CSS and
 * JavaScript (served by /widget-assets), fed by the admin-authenticated /app/widget-preview endpoint.
 * The markup is injected once (React never re-renders it); amount changes go through SoisyWidget.update.
 */
import { Banner, Text, TextField } from "@shopify/polaris";
import { useEffect, useMemo, useRef, useState } from "react";
import type { Locale } from "~/i18n/i18n";
import type { MessageKey } from "~/i18n/messages";
import { formatEuro } from "~/i18n/money";
import { SectionCard } from "./SectionCard";

/** The storefront texts (extensions/soisy-widget/locales, `soisy_widget`), given by the loader. */
export interface WidgetTexts {
  quote: string;
  quote_zero: string;
  option: string;
  option_zero: string;
  warning: string;
  example: string;
  info: string;
  title: string;
  how_1: string;
  how_2: string;
  how_3: string;
  legal: string;
  transparency: string;
  privacy: string;
  close: string;
}
type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

interface SoisyWidgetApi {
  init(el: Element): void;
  update(el: Element, amountCents: number): void;
}
declare global {
  interface Window {
    SoisyWidget?: SoisyWidgetApi;
  }
}

function esc(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The widget box's HTML, as the app block renders it (kind "manual": initialised by this component). */
export function widgetMarkup(input: { texts: WidgetTexts; locale: Locale; endpoint: string; amountCents: number; instalments: number; uid: string }): string {
  const { texts: t, uid } = input;
  const config = JSON.stringify({ quote: t.quote, quote_zero: t.quote_zero, example: t.example, legal: t.legal, variants: {} }).replace(/</g, "\\u003c");
  return `<div class="soisy-w soisy-w--left" data-soisy-widget="manual" data-amount="${input.amountCents}" data-instalments="${input.instalments}" data-endpoint="${esc(input.endpoint)}" data-locale="${input.locale}">
<script type="application/json" data-soisy-t>${config}</script>
<div class="soisy-w__row">
<div class="soisy-w__live" aria-live="polite" aria-atomic="true"><p class="soisy-w__quote" data-soisy-quote></p><p class="soisy-w__warn" data-soisy-warning>${esc(t.warning)}</p><p class="soisy-w__example" data-soisy-example></p></div>
<button type="button" class="soisy-w__info" data-soisy-open aria-haspopup="dialog" aria-controls="${uid}-d" disabled><span aria-hidden="true">i</span><span class="soisy-w__sr">${esc(t.info)}</span></button>
</div>
<dialog class="soisy-w__dialog" id="${uid}-d" aria-labelledby="${uid}-h">
<h2 class="soisy-w__title" id="${uid}-h">${esc(t.title)}</h2>
<ol class="soisy-w__steps"><li>${esc(t.how_1)}</li><li>${esc(t.how_2)}</li><li>${esc(t.how_3)}</li></ol>
<p class="soisy-w__legal" data-soisy-legal></p>
<p class="soisy-w__legal"><a data-soisy-doc="transparency" target="_blank" rel="noopener">${esc(t.transparency)}</a> · <a data-soisy-doc="privacy" target="_blank" rel="noopener">${esc(t.privacy)}</a></p>
<form method="dialog"><button type="submit" class="soisy-w__close">${esc(t.close)}</button></form>
</dialog>
</div>`;
}

/** "1000", "1000,5", "1.000,50", "1000.50" → cents; null when not an amount. */
export function parsePreviewAmount(raw: string): number | null {
  const s = raw.trim().replace(/^€\s*/, "");
  const m = /^(\d{1,3}(?:[.\s]\d{3})+|\d{1,8})(?:[.,](\d{1,2}))?$/.exec(s);
  if (!m) {
    const en = /^(\d{1,3}(?:,\d{3})+)(?:\.(\d{1,2}))?$/.exec(s);
    if (!en) return null;
    return Number((en[1] ?? "").replace(/,/g, "")) * 100 + Number((en[2] ?? "").padEnd(2, "0"));
  }
  const cents = Number((m[1] ?? "").replace(/[.\s]/g, "")) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  return cents > 0 ? cents : null;
}

export function WidgetPreview(props: {
  t: Translate;
  locale: Locale;
  texts: WidgetTexts;
  scriptSrc: string;
  styleHref: string;
  endpoint: string;
  initialAmountCents: number;
  minAmountCents: number;
  maxAmountCents: number;
  instalments: number;
  ready: boolean;
}) {
  const { t, locale } = props;
  const box = useRef<HTMLDivElement>(null);
  const [amount, setAmount] = useState(formatEuro(props.initialAmountCents, locale).replace(/^€\s*/, ""));
  const html = useMemo(
    () =>
      widgetMarkup({
        texts: props.texts,
        locale,
        endpoint: props.endpoint,
        amountCents: props.initialAmountCents,
        instalments: props.instalments,
        uid: "soisy-preview",
      }),
    // The box is built once; later amounts go through SoisyWidget.update.
    [],
  );
  const cents = parsePreviewAmount(amount);
  // The amount typed last, for the script's start: an amount typed before the script had loaded (a slow
  // connection) must not be lost to the box's initial amount.
  const latestCents = useRef(cents);
  latestCents.current = cents;
  const range = { min: formatEuro(props.minAmountCents, locale), max: formatEuro(props.maxAmountCents, locale) };
  const error =
    cents === null
      ? t("widget.preview.amountInvalid")
      : cents < props.minAmountCents || cents > props.maxAmountCents
        ? t("widget.preview.outOfRange", range)
        : undefined;

  // Load the storefront script once, then start the box.
  useEffect(() => {
    const el = box.current?.firstElementChild;
    if (!el) return;
    const start = () => {
      window.SoisyWidget?.init(el);
      const typed = latestCents.current;
      if (typed !== null && typed !== props.initialAmountCents) window.SoisyWidget?.update(el, typed);
    };
    if (window.SoisyWidget?.init) return start();
    let script = document.querySelector<HTMLScriptElement>("script[data-soisy-preview]");
    if (!script) {
      script = document.createElement("script");
      script.src = props.scriptSrc;
      script.defer = true;
      script.setAttribute("data-soisy-preview", "");
      document.head.appendChild(script);
    }
    script.addEventListener("load", start);
    return () => script?.removeEventListener("load", start);
  }, [props.scriptSrc]);

  // A new sample amount: the widget asks again (debounced while typing).
  useEffect(() => {
    const el = box.current?.firstElementChild;
    if (!el || cents === null) return;
    const timer = setTimeout(() => window.SoisyWidget?.update(el, cents), 300);
    return () => clearTimeout(timer);
  }, [cents]);

  return (
    <SectionCard title={t("widget.preview.title")}>
      <Text as="p">{t("widget.preview.intro")}</Text>
      {!props.ready ? (
        <Banner tone="warning">
          <p>{t("widget.preview.notReady")}</p>
        </Banner>
      ) : null}
      <TextField
        id="widgetPreviewAmount"
        label={t("widget.preview.amount")}
        value={amount}
        onChange={setAmount}
        autoComplete="off"
        inputMode="decimal"
        helpText={t("widget.preview.amountHelp", range)}
        error={error}
      />
      <link rel="stylesheet" href={props.styleHref} />
      <div ref={box} data-widget-preview="" dangerouslySetInnerHTML={{ __html: html }} suppressHydrationWarning />
      <Text as="p" tone="subdued">
        {t("widget.preview.hiddenNote")}
      </Text>
    </SectionCard>
  );
}
