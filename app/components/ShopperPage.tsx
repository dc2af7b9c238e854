/**
 * Minimal, accessible pages for shoppers between Soisy and Shopify (no admin chrome, no Polaris):
 * mobile first, Italian or English, work without JavaScript (meta refresh), announce updates.
 */
import { useEffect, useState } from "react";
import { translator, type Locale } from "~/i18n/i18n";

/** The shopper pages' look (also the demo hub's). */
export const pageStyle = {
  fontFamily: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
  maxWidth: 520,
  margin: "12vh auto",
  padding: "0 1.25rem",
  lineHeight: 1.5,
  color: "#1a1a1a",
} as const;

/** Which shop the shopper is paying (its stored name, else the handle): text, React escapes it. */
function ShopLine({ locale, shopName }: { locale: Locale; shopName?: string | null }) {
  if (!shopName) return null;
  return (
    <p style={{ margin: "0 0 0.5rem", color: "#4a4a4a" }}>
      {translator(locale)("preapproval.shopLabel")}: <strong data-testid="shop-name">{shopName}</strong>
    </p>
  );
}

export function ConfirmingPayment({
  locale,
  statusUrl,
  pollMs = 2_000,
  shopName,
}: {
  locale: Locale;
  statusUrl: string;
  pollMs?: number;
  shopName?: string | null;
}) {
  const t = translator(locale);
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    let stopped = false;
    const started = Date.now();
    const tick = async () => {
      if (stopped) return;
      try {
        const res = await fetch(statusUrl, { headers: { accept: "application/json" }, cache: "no-store" });
        if (res.ok) {
          const body = (await res.json()) as { redirectUrl?: string | null };
          if (body.redirectUrl) {
            window.location.assign(body.redirectUrl);
            return;
          }
        }
      } catch {
        // network hiccup: try again on the next tick
      }
      if (Date.now() - started > 30_000) setSlow(true);
      setTimeout(tick, Date.now() - started > 60_000 ? pollMs * 3 : pollMs);
    };
    const first = setTimeout(tick, 500);
    return () => {
      stopped = true;
      clearTimeout(first);
    };
  }, [statusUrl, pollMs]);
  return (
    <main style={pageStyle} data-page="confirming">
      <ShopLine locale={locale} shopName={shopName} />
      <h1 style={{ fontSize: "1.4rem" }}>{t("shopper.confirming.title")}</h1>
      <p role="status" aria-live="polite">
        {slow ? t("shopper.confirming.still") : t("shopper.confirming.body")}
      </p>
      <div aria-hidden="true" style={{ height: 4, background: "#e3e3e3", borderRadius: 2, overflow: "hidden" }}>
        <div style={{ width: "40%", height: "100%", background: "#00857c" }} />
      </div>
    </main>
  );
}

/**
 * Soisy cannot pay this order. With `backUrl` (Shopify's next step is known) the shopper reads why
 * (`reason`) and goes back with a button; without it a ConfirmingPayment below forwards them.
 */
export function NotEligible({
  locale,
  shopName,
  reason,
  backUrl,
}: {
  locale: Locale;
  shopName?: string | null;
  reason?: string | null;
  backUrl?: string | null;
}) {
  const t = translator(locale);
  return (
    <main style={pageStyle} data-page="not-eligible">
      <ShopLine locale={locale} shopName={shopName} />
      <h1 style={{ fontSize: "1.4rem" }}>{t("shopper.notEligible.title")}</h1>
      {reason ? (
        <p role="status" data-testid="decline-reason" style={{ fontWeight: 600 }}>
          {reason}
        </p>
      ) : null}
      {backUrl ? (
        <p>
          <a href={backUrl} style={buttonStyle}>
            {t("decline.back")}
          </a>
        </p>
      ) : (
        <p role={reason ? undefined : "status"}>{t("shopper.notEligible.body")}</p>
      )}
    </main>
  );
}

const buttonStyle = {
  display: "inline-block",
  background: "#00857c",
  color: "#fff",
  padding: "0.75rem 1.25rem",
  borderRadius: 8,
  fontWeight: 600,
  textDecoration: "none",
} as const;

export function LinkNotValid({ locale }: { locale: Locale }) {
  return (
    <main style={pageStyle}>
      <h1 style={{ fontSize: "1.4rem" }}>{translator(locale)("shopper.linkNotValid")}</h1>
    </main>
  );
}
