/**
 * The shopper pages between Soisy and Shopify (app/components/ShopperPage.tsx) name the shop the shopper
 * is paying: the stored Admin API name, as text (escaped), in Italian and English; no line without one.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ConfirmingPayment, NotEligible } from "~/components/ShopperPage";

describe("shopper pages: the shop's name", () => {
  it("shows the name as escaped text with the localized label", () => {
    const italian = renderToStaticMarkup(createElement(NotEligible, { locale: "it", shopName: '<b>"Rossi"</b> & Figli' }));
    expect(italian).toContain('Negozio: <strong data-testid="shop-name">&lt;b&gt;&quot;Rossi&quot;&lt;/b&gt; &amp; Figli</strong>');
    expect(italian).not.toContain("<b>");
    const en = renderToStaticMarkup(createElement(ConfirmingPayment, { locale: "en", statusUrl: "/s", shopName: "Bottega Rossi" }));
    expect(en).toContain('Shop: <strong data-testid="shop-name">Bottega Rossi</strong>');
  });

  it("shows no shop line without a name", () => {
    expect(renderToStaticMarkup(createElement(NotEligible, { locale: "it" }))).not.toContain("shop-name");
    expect(renderToStaticMarkup(createElement(ConfirmingPayment, { locale: "en", statusUrl: "/s", shopName: null }))).not.toContain("shop-name");
  });
});
