/**
 * The in-store pre-approval pages (integration level 2): the form and the refusal. Server-rendered
 * and complete without JavaScript (a plain POST form, the server validates everything); when the
 * page is hydrated it also checks the form before sending (same pure rules, app/preapproval/form.ts),
 * hides the job fields that do not apply and blocks a second click while the first is on its way.
 *
 * Accessibility: one label per control, hints and errors tied with aria-describedby, aria-invalid,
 * an error summary (links to the fields) that takes the focus, header/main/footer landmarks,
 * controls and buttons at least 44 px high, visible focus, texts in the shopper's language.
 */
import { useEffect, useRef, useState, type ReactNode } from "react";
import { translator, type Locale, type MessageKey } from "~/i18n/i18n";
import {
  CITIZENSHIPS,
  EDUCATIONS,
  JOB_DESCRIPTIONS,
  RESIDENCES,
  SALARY_TYPES,
  readForm,
  validateForm,
  type FieldErrors,
  type FieldProblem,
  type FormField,
  type FormValues,
} from "./form";
import type { FormPage, FormProblem } from "./preapproval.server";
import type { OfferPart, PageOffers } from "~/quotes/offer-text.server";
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

/**
 * Money and rates formatted by hand, not with Intl: Node's and the browser's ICU data differ (e.g.
 * the space before "€"), and any difference between the server's HTML and the browser's first render
 * makes React re-render the page and drop what the shopper has already typed.
 */
export function formatEuro(cents: number, locale: Locale): string {
  const euros = Math.floor(Math.abs(cents) / 100);
  const rest = String(Math.abs(cents) % 100).padStart(2, "0");
  const sign = cents < 0 ? "-" : "";
  const grouped = String(euros).replace(/\B(?=(\d{3})+(?!\d))/g, locale === "it" ? "." : ",");
  // The same text as app/soisy/money.ts formatEuro (the widget's and the admin's "€ 1.234,56").
  return locale === "it" ? `${sign}€ ${grouped},${rest}` : `${sign}€${grouped}.${rest}`;
}

/** Text parts from the widget's formatter (app/quotes/offer-text.server.ts): each figure in its own span. */
function Parts({ parts }: { parts: OfferPart[] }) {
  return (
    <>
      {parts.map((p, i) =>
        p[1] ? (
          <span key={i} data-soisy-field={p[1]}>
            {p[0]}
          </span>
        ) : (
          p[0]
        ),
      )}
    </>
  );
}

/** Soisy may decide by automated means; the shopper's rights (docs/compliance.md). */
function DecisionNotice({ locale, lender, refused }: { locale: Locale; lender: LenderInfo; refused: boolean }) {
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

function Shell({ locale, shopName, lender, children }: { locale: Locale; shopName: string; lender: LenderInfo; children: ReactNode }) {
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

export function RefusedPage({ locale, shopName, cancelUrl, lender }: { locale: Locale; shopName: string; cancelUrl: string | null; lender: LenderInfo }) {
  const t = translator(locale);
  return (
    <Shell locale={locale} shopName={shopName} lender={lender}>
      <main data-page="preapproval-refused">
        <h1>{t("preapproval.refused.title")}</h1>
        <p role="status">{t("preapproval.refused.body")}</p>
        <DecisionNotice locale={locale} lender={lender} refused />
        {cancelUrl ? (
          <a className="button" href={cancelUrl}>
            {t("preapproval.refused.button")}
          </a>
        ) : null}
      </main>
    </Shell>
  );
}

export interface ActionView {
  values: FormValues;
  errors: FieldErrors;
  problem: FormProblem | null;
  additional: boolean;
  proof: string | null;
}

export function PreapprovalForm(props: { locale: Locale; page: FormPage; lender: LenderInfo; offers: PageOffers; action: ActionView | null }) {
  const { locale, page, lender, offers, action } = props;
  const t = translator(locale);
  const additional = action?.additional ?? false;
  const values: FormValues = action?.values ?? { ...page.prefill, instalments: String(page.defaultInstalments) };
  const [errors, setErrors] = useState<FieldErrors>(action?.errors ?? {});
  const [problem, setProblem] = useState<FormProblem | null>(action?.problem ?? null);
  const [attempt, setAttempt] = useState(0);
  const [job, setJob] = useState(values.jobDescription ?? "");
  const [hydrated, setHydrated] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const summary = useRef<HTMLDivElement>(null);
  const notice = useRef<HTMLDivElement>(null);
  const hasErrors = Object.keys(errors).length > 0;

  useEffect(() => setHydrated(true), []);
  useEffect(() => {
    if (hasErrors || (problem && problem !== "invalid")) summary.current?.focus();
    else if (additional) notice.current?.focus();
  }, [attempt, hasErrors, problem, additional]);

  const message = (p: FieldProblem) => t(`preapproval.error.${p}` as MessageKey);
  const label = (f: FormField): string => {
    if (f === "privacy") return t("preapproval.consent.legend");
    if (f === "instalments") return t("preapproval.instalments.legend");
    return t(`preapproval.${f}` as MessageKey);
  };
  const describedBy = (f: FormField, hint: boolean) => [hint ? `f-${f}-hint` : "", errors[f] ? `f-${f}-error` : ""].filter(Boolean).join(" ") || undefined;
  const ErrorText = ({ f }: { f: FormField }) =>
    errors[f] ? (
      <p className="error" id={`f-${f}-error`}>
        {message(errors[f])}
      </p>
    ) : null;

  const text = (f: FormField, o: { type?: "text" | "email" | "tel"; hint?: MessageKey; autoComplete?: string; inputMode?: "numeric" | "tel" | "email" | "text"; maxLength?: number; optional?: boolean; upper?: boolean } = {}) => (
    <div className="field" key={f}>
      <label htmlFor={`f-${f}`}>
        {label(f)}
        {o.optional ? ` ${t("preapproval.optional")}` : ""}
      </label>
      {o.hint ? (
        <p className="hint" id={`f-${f}-hint`}>
          {t(o.hint)}
        </p>
      ) : null}
      <ErrorText f={f} />
      <input
        id={`f-${f}`}
        name={f}
        type={o.type ?? "text"}
        defaultValue={values[f] ?? ""}
        autoComplete={o.autoComplete ?? "off"}
        inputMode={o.inputMode}
        maxLength={o.maxLength ?? 100}
        aria-required={o.optional ? undefined : true}
        aria-invalid={errors[f] ? true : undefined}
        aria-describedby={describedBy(f, !!o.hint)}
        style={o.upper ? { textTransform: "uppercase" } : undefined}
        spellCheck={false}
      />
    </div>
  );

  const select = (f: FormField, options: readonly string[], optionKey: (v: string) => MessageKey, o: { onChange?: (v: string) => void } = {}) => (
    <div className="field" key={f}>
      <label htmlFor={`f-${f}`}>{label(f)}</label>
      <ErrorText f={f} />
      <select
        id={`f-${f}`}
        name={f}
        defaultValue={values[f] ?? ""}
        aria-required={true}
        aria-invalid={errors[f] ? true : undefined}
        aria-describedby={describedBy(f, false)}
        onChange={o.onChange ? (e) => o.onChange!(e.currentTarget.value) : undefined}
      >
        <option value="">{t("preapproval.job.choose")}</option>
        {options.map((v) => (
          <option key={v} value={v}>
            {t(optionKey(v))}
          </option>
        ))}
      </select>
    </div>
  );

  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    if (submitting) {
      event.preventDefault();
      return;
    }
    const found = validateForm(readForm(new FormData(event.currentTarget).entries()), {
      instalmentChoices: page.options.map((o) => o.instalments),
      additional,
    });
    if (Object.keys(found).length) {
      event.preventDefault();
      setErrors(found);
      setProblem("invalid");
      setAttempt((n) => n + 1);
      return;
    }
    setSubmitting(true);
  };

  const showFixedTerm = !hydrated || job === "employee_fixed_term_contract";
  const showVat = !hydrated || job === "entrepreneur";
  const errorFields = FORM_ORDER.filter((f) => errors[f]);
  const summaryTitle = hasErrors
    ? t("preapproval.errors.title")
    : problem === "busy"
      ? t("preapproval.problem.busy")
      : problem === "soisy_general"
        ? t("preapproval.errors.generalSoisy")
        : t("preapproval.problem.unavailable");

  return (
    <Shell locale={locale} shopName={page.shopName} lender={lender}>
      <main data-page="preapproval">
        <h1>{t("preapproval.title")}</h1>
        <p>{t("preapproval.intro", { amount: formatEuro(page.amountCents, locale) })}</p>
        {hasErrors || (problem && problem !== "invalid") ? (
          <div className="summary" role="alert" tabIndex={-1} ref={summary} aria-labelledby="summary-title" data-testid="error-summary">
            <h2 id="summary-title">{summaryTitle}</h2>
            {hasErrors && (problem === "unavailable" || problem === "busy") ? <p>{t(`preapproval.problem.${problem}`)}</p> : null}
            {hasErrors && problem === "soisy_general" ? <p>{t("preapproval.errors.generalSoisy")}</p> : null}
            {errorFields.length ? (
              <ul>
                {errorFields.map((f) => (
                  <li key={f}>
                    <a href={`#f-${f}`}>
                      {label(f)}: {message(errors[f]!)}
                    </a>
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        {additional && !hasErrors ? (
          <div className="notice" role="status" tabIndex={-1} ref={notice} data-testid="additional-notice">
            <p>{t("preapproval.additional.intro")}</p>
          </div>
        ) : null}
        <p>{t("preapproval.required")}</p>
        <form method="post" noValidate onSubmit={onSubmit}>
          {action?.proof ? <input type="hidden" name="proof" value={action.proof} /> : null}
          {additional ? (
            <fieldset>
              <legend>{t("preapproval.additional.legend")}</legend>
              {select("residence", RESIDENCES, (v) => `preapproval.residence.${v}` as MessageKey)}
              {text("residenceStartDate", { inputMode: "numeric", maxLength: 7 })}
              {select("educationalQualification", EDUCATIONS, (v) => `preapproval.education.${v}` as MessageKey)}
              {text("children", { inputMode: "numeric", maxLength: 2 })}
              {select("salaryType", SALARY_TYPES, (v) => `preapproval.salary.${v}` as MessageKey)}
            </fieldset>
          ) : null}

          <fieldset aria-describedby={["quote-note", errors.instalments ? "f-instalments-error" : ""].filter(Boolean).join(" ")}>
            <legend>{t("preapproval.instalments.legend")}</legend>
            {page.quotesAvailable ? (
              <p className="warn" data-soisy-warning>
                {offers.warning}
              </p>
            ) : null}
            <ErrorText f="instalments" />
            {page.options.map((o, i) => (
              <label className="opt" key={o.instalments} htmlFor={i === 0 ? "f-instalments" : `f-instalments-${o.instalments}`}>
                <input
                  type="radio"
                  id={i === 0 ? "f-instalments" : `f-instalments-${o.instalments}`}
                  name="instalments"
                  value={o.instalments}
                  defaultChecked={values.instalments === String(o.instalments)}
                />
                {offers.byInstalments[o.instalments] ? (
                  <span data-testid={`quote-${o.instalments}`} data-soisy-offer={o.instalments}>
                    <span className="offer-q" data-soisy-quote>
                      <Parts parts={offers.byInstalments[o.instalments]!.option} />
                    </span>
                    <span className="offer-x" data-soisy-example>
                      <Parts parts={offers.byInstalments[o.instalments]!.example} />
                    </span>
                  </span>
                ) : (
                  <span>
                    <strong>{t("preapproval.instalments.option", { n: o.instalments })}</strong>
                    <span className="offer-x" data-testid={`quote-${o.instalments}`}>
                      {t("preapproval.instalments.noQuote")}
                    </span>
                  </span>
                )}
              </label>
            ))}
            <p className="hint" id="quote-note">
              {page.quotesAvailable ? t("preapproval.instalments.note") : t("preapproval.instalments.quotesUnavailable")}
            </p>
            {offers.legal ? (
              <p className="hint" data-soisy-legal>
                <Parts parts={offers.legal} />{" "}
                <a href={lender.transparencyUrl} target="_blank" rel="noreferrer" data-soisy-doc="transparency">
                  {t("preapproval.transparency.link")}
                </a>
              </p>
            ) : null}
          </fieldset>

          <fieldset>
            <legend>{t("preapproval.you.legend")}</legend>
            {text("fiscalCode", { hint: "preapproval.fiscalCode.hint", maxLength: 20, upper: true })}
            {text("firstname", { autoComplete: "given-name" })}
            {text("lastname", { autoComplete: "family-name" })}
            {select("citizenship", CITIZENSHIPS, (v) => `preapproval.citizenship.${v}` as MessageKey)}
          </fieldset>

          <fieldset>
            <legend>{t("preapproval.job.legend")}</legend>
            {select("jobDescription", JOB_DESCRIPTIONS, (v) => `preapproval.job.${v}` as MessageKey, { onChange: setJob })}
            {showFixedTerm ? text("actualJobEndingDate", { hint: "preapproval.actualJobEndingDate.hint", inputMode: "numeric", maxLength: 7 }) : null}
            {showVat ? text("vatId", { hint: "preapproval.vatId.hint", inputMode: "numeric", maxLength: 13 }) : null}
          </fieldset>

          <fieldset>
            <legend>{t("preapproval.contact.legend")}</legend>
            {text("email", { type: "email", autoComplete: "email", inputMode: "email", maxLength: 254 })}
            {text("mobilePhone", { type: "tel", autoComplete: "tel-national", inputMode: "tel", hint: "preapproval.mobilePhone.hint", maxLength: 20 })}
          </fieldset>

          <fieldset>
            <legend>{t("preapproval.address.legend")}</legend>
            <div className="row">
              {text("address", { autoComplete: "address-line1", maxLength: 150 })}
              {text("civicNumber", { maxLength: 20 })}
            </div>
            <div className="row">
              {text("city", { autoComplete: "address-level2" })}
              {text("postalCode", { autoComplete: "postal-code", inputMode: "numeric", maxLength: 5 })}
            </div>
            {text("province", { hint: "preapproval.province.hint", maxLength: 2, upper: true })}
          </fieldset>

          <fieldset>
            <legend>{t("preapproval.consent.legend")}</legend>
            <ErrorText f="privacy" />
            <div className="check">
              <input
                type="checkbox"
                id="f-privacy"
                name="privacy"
                defaultChecked={values.privacy === "on"}
                aria-required={true}
                aria-invalid={errors.privacy ? true : undefined}
                aria-describedby={errors.privacy ? "f-privacy-error privacy-link" : "privacy-link"}
              />
              <label htmlFor="f-privacy">{t("preapproval.privacy")}</label>
            </div>
            <p id="privacy-link">
              <a href={lender.privacyUrl} target="_blank" rel="noreferrer">
                {t("preapproval.privacy.link")}
              </a>
            </p>
            <div className="check">
              <input type="checkbox" id="f-marketing" name="marketing" defaultChecked={values.marketing === "on"} />
              <label htmlFor="f-marketing">{t("preapproval.marketing")}</label>
            </div>
          </fieldset>

          <DecisionNotice locale={locale} lender={lender} refused={false} />
          <button type="submit" aria-disabled={submitting ? true : undefined}>
            {submitting ? t("preapproval.submitting") : additional ? t("preapproval.continue") : t("preapproval.submit")}
          </button>
        </form>
        {page.cancelUrl ? (
          <a className="button secondary" href={page.cancelUrl}>
            {t("preapproval.cancel")}
          </a>
        ) : null}
      </main>
    </Shell>
  );
}

/** The order of the fields on the page (the error summary follows it). */
const FORM_ORDER: FormField[] = [
  "residence",
  "residenceStartDate",
  "educationalQualification",
  "children",
  "salaryType",
  "instalments",
  "fiscalCode",
  "firstname",
  "lastname",
  "citizenship",
  "jobDescription",
  "actualJobEndingDate",
  "vatId",
  "email",
  "mobilePhone",
  "address",
  "civicNumber",
  "city",
  "postalCode",
  "province",
  "privacy",
];
