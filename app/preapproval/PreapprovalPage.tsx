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
import { useEffect, useRef, useState } from "react";
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
import { InstalmentOptions } from "./InstalmentOptions";
import { DecisionNotice, formatEuro, Shell } from "./PageShell";
import type { FormPage, FormProblem } from "./preapproval.server";
import type { PageOffers } from "~/quotes/offer-text.server";
import type { LenderInfo } from "~/quotes/widget-quote";

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

          <InstalmentOptions t={t} page={page} offers={offers} lender={lender} values={values} error={errors.instalments ? message(errors.instalments) : null} />

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
