/**
 * The instalments fieldset of the pre-approval form: one radio per allowed number of instalments,
 * each with the widget's offer text (Soisy's quote and representative example) when Soisy answered.
 */
import type { translator } from "~/i18n/i18n";
import type { OfferPart, PageOffers } from "~/quotes/offer-text.server";
import type { LenderInfo } from "~/quotes/widget-quote";
import type { FormValues } from "./form";
import type { FormPage } from "./preapproval.server";

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

export function InstalmentOptions(props: {
  t: ReturnType<typeof translator>;
  page: FormPage;
  offers: PageOffers;
  lender: LenderInfo;
  values: FormValues;
  /** The instalments field's error message, if any. */
  error: string | null;
}) {
  const { t, page, offers, lender, values, error } = props;
  return (
    <fieldset aria-describedby={["quote-note", error ? "f-instalments-error" : ""].filter(Boolean).join(" ")}>
      <legend>{t("preapproval.instalments.legend")}</legend>
      {page.quotesAvailable ? (
        <p className="warn" data-soisy-warning>
          {offers.warning}
        </p>
      ) : null}
      {error ? (
      <p className="error" id="f-instalments-error">
        {error}
      </p>
    ) : null}
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
  );
}
