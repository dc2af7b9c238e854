/**
 * What every pre-approval page shares (PreapprovalPage.tsx): the style sheet, the frame (shop name,
 * privacy footer), the automated-decision notice and the hand-made money format.
 */
import type { ReactNode } from "react";
import { translator, type Locale } from "~/i18n/i18n";
import type { LenderInfo } from "~/quotes/widget-quote";

const CSS = `
.pa{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;line-height:1.5;max-width:40rem;margin:0 auto;padding:0 1rem 2rem}
.pa header{border-bottom:1px solid #d0d0d0;padding:.75rem 0;margin-bottom:1rem}
.pa header p{margin:0}
.pa h1{font-size:1.45rem;margin:.5rem 0}
.pa fieldset{border:1px solid #c4c4c4;border-radius:8px;margin:0 0 1.25rem;padding:.75rem 1rem 1rem}
.pa legend{font-weight:600;padding:0 .25rem;font-size:1.05rem}
.pa .field{margin:.75rem 0}
.pa label{display:block;font-weight:500}
.pa .hint{margin:.1rem 0 .25rem;color:#4a4a4a;font-size:.92rem}
.pa .error{margin:.2rem 0;color:#b3261e;font-weight:600}
.pa input[type=text],.pa input[type=email],.pa input[type=tel],.pa select{box-sizing:border-box;width:100%;min-height:44px;font-size:1rem;padding:.5rem .65rem;border:1px solid #6b6b6b;border-radius:6px;background:#fff;color:#1a1a1a}
.pa [aria-invalid=true]{border:2px solid #b3261e}
.pa .opt{display:flex;gap:.75rem;align-items:flex-start;min-height:44px;padding:.6rem .5rem;border:1px solid #c4c4c4;border-radius:6px;margin:.4rem 0;font-weight:400}
.pa .opt input,.pa .check input{width:24px;height:24px;margin:.1rem 0 0;flex:none}
.pa .opt strong{display:block}
.pa .check{display:flex;gap:.75rem;align-items:flex-start;min-height:44px;font-weight:400}
.pa .row{display:grid;grid-template-columns:1fr;gap:0 1rem}
@media (min-width:34rem){.pa .row{grid-template-columns:2fr 1fr}}
.pa .button,.pa button{display:inline-flex;align-items:center;justify-content:center;box-sizing:border-box;min-height:48px;min-width:44px;padding:.6rem 1.2rem;font-size:1.05rem;font-weight:600;border-radius:8px;border:2px solid #005e58;background:#00736b;color:#fff;text-decoration:none;cursor:pointer;width:100%}
.pa .secondary{background:#fff;color:#005e58;margin-top:.75rem}
.pa a{color:#005e58}
.pa :focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}
.pa .summary{border:2px solid #b3261e;border-radius:8px;padding:.75rem 1rem;margin:1rem 0;background:#fff5f4}
.pa .summary h2{font-size:1.1rem;margin:0 0 .4rem}
.pa .notice{border:2px solid #005e58;border-radius:8px;padding:.75rem 1rem;margin:1rem 0;background:#f0faf9}
.pa .warn{font-weight:700;margin:.25rem 0 .5rem}
.pa .offer-q{display:block;font-weight:600}
.pa .offer-x{display:block;font-size:.92rem}
.pa .decision{border-left:4px solid #005e58;padding:.25rem .75rem;margin:1rem 0;background:#f7f7f7}
.pa footer{border-top:1px solid #d0d0d0;margin-top:1.5rem;padding-top:.75rem;font-size:.92rem;color:#4a4a4a}
`;

// The page's amounts come from app/i18n/money.ts's formatEuro (written without Intl, so the
// server's HTML and the browser's first render agree); re-exported for the page's parts.
export { formatEuro } from "~/i18n/money";

/** Soisy may decide by automated means; the shopper's rights (docs/compliance.md). */
export function DecisionNotice({ locale, lender, refused }: { locale: Locale; lender: LenderInfo; refused: boolean }) {
  const t = translator(locale);
  return (
    <div className="decision" data-testid="decision-notice">
      <p>{t("preapproval.decision.notice", { lender: lender.name })}</p>
      {refused ? (
        <p>
          {t("preapproval.decision.contact", { lender: lender.name })}{" "}
          <a href={lender.contactUrl} target="_blank" rel="noreferrer" data-testid="lender-contact">
            {t("preapproval.decision.contactLink", { lender: lender.name })}
          </a>
        </p>
      ) : null}
    </div>
  );
}

export function Shell({ locale, shopName, lender, children }: { locale: Locale; shopName: string; lender: LenderInfo; children: ReactNode }) {
  const t = translator(locale);
  return (
    <div className="pa" lang={locale}>
      {/* As raw HTML: React would escape the quotes in a <style> text child, which the browser does not unescape there. */}
      <style dangerouslySetInnerHTML={{ __html: CSS }} />
      <header>
        <p>
          {t("preapproval.shopLabel")}: <strong data-testid="shop-name">{shopName}</strong>
        </p>
      </header>
      {children}
      <footer>
        <p>
          {t("preapproval.privacy.note", { lender: lender.name })}{" "}
          <a href={lender.privacyUrl} target="_blank" rel="noreferrer">
            {t("preapproval.privacy.link")}
          </a>
        </p>
      </footer>
    </div>
  );
}
