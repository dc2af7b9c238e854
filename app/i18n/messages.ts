/**
 * Every merchant- and shopper-facing text, in Italian and English. A test fails when a key is
 * missing or empty in either language. Placeholders: {name}.
 */
export const LOCALES = ["it", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "it";

import { settingsMessages } from "./messages/settings";
import { transactionsMessages } from "./messages/transactions";
import { widgetMessages } from "./messages/widget";
import { preapprovalMessages } from "./messages/preapproval";
import { checkoutRulesMessages } from "./messages/checkoutRules";
import { refundsMessages } from "./messages/refunds";
import { settlementsMessages } from "./messages/settlements";
import { demoMessages } from "./messages/demo";
import { declineMessages } from "./messages/decline";
import { timelineMessages } from "./messages/timeline";
import { fundOnFulfilmentMessages } from "./messages/fundOnFulfilment";
import { refundSettleMessages } from "./messages/refundSettle";
import { dashboardMetricsMessages } from "./messages/dashboardMetrics";
import { alertsMessages } from "./messages/alerts";
import { payoutsMessages } from "./messages/payouts";

const coreIt = {
  "app.name": "Soisy per Shopify",
  "app.tagline": "Paga a rate con Soisy: pagamenti rateali per il tuo negozio Shopify.",
  "landing.what": "I tuoi clienti pagano in comode rate con Soisy; tu ricevi l'importo intero.",
  "landing.shopLabel": "Dominio del negozio",
  "landing.shopHelp": "esempio: mio-negozio.myshopify.com",
  "landing.login": "Accedi",
  "landing.install": "Installa l'app dal Shopify App Store, poi inserisci le tue chiavi Soisy.",
  "login.title": "Accedi a Soisy per Shopify",
  "login.error.missingShop": "Inserisci il dominio del negozio.",
  "login.error.invalidShop": "Il dominio del negozio non è valido: usa la forma mio-negozio.myshopify.com.",
  "dashboard.title": "Soisy: pagamenti rateali",
  "dashboard.ready": "Pronto: puoi attivare Soisy come metodo di pagamento nell'admin di Shopify.",
  "dashboard.notReady": "Non ancora pronto: inserisci e verifica le credenziali Soisy di produzione.",
  "dashboard.sandbox": "Credenziali sandbox",
  "dashboard.production": "Credenziali di produzione",
  "dashboard.configured": "configurate",
  "dashboard.missing": "mancanti",
  "dashboard.amountRange": "Importi ammessi: da {min} a {max}",
  "dashboard.payments": "Pagamenti registrati: {count}",
  "error.title": "Si è verificato un errore",
  "error.notFound": "Pagina non trovata",
  "common.language": "Lingua",
  "nav.label": "Menu dell'app",
  "nav.dashboard": "Panoramica",
  "nav.settings": "Impostazioni",
  "nav.transactions": "Transazioni",
  "nav.logout": "Esci",
  "shopper.confirming.title": "Stiamo confermando il tuo pagamento",
  "shopper.confirming.body": "Soisy ci sta comunicando l'esito della tua richiesta di pagamento a rate. Non chiudere questa pagina: ti porteremo avanti automaticamente tra pochi secondi.",
  "shopper.confirming.still": "Ci vuole più del solito. Puoi attendere qui oppure tornare più tardi: riceverai comunque la conferma dell'ordine.",
  "shopper.confirming.continue": "Continua",
  "shopper.notEligible.title": "Pagamento a rate non disponibile per questo ordine",
  "shopper.notEligible.body": "Soisy non può essere usato per questo carrello. Ti riportiamo al checkout per scegliere un altro metodo di pagamento.",
  "shopper.linkNotValid": "Questo link non è valido o è scaduto.",
} as const;

const it = {
  ...coreIt,
  ...settingsMessages.it,
  ...transactionsMessages.it,
  ...widgetMessages.it,
  ...preapprovalMessages.it,
  ...checkoutRulesMessages.it,
  ...refundsMessages.it,
  ...settlementsMessages.it,
  ...demoMessages.it,
  ...declineMessages.it,
  ...timelineMessages.it,
  ...fundOnFulfilmentMessages.it,
  ...refundSettleMessages.it,
  ...dashboardMetricsMessages.it,
  ...alertsMessages.it,
  ...payoutsMessages.it,
};
export type MessageKey = keyof typeof it;

const coreEn: Record<keyof typeof coreIt, string> = {
  "app.name": "Soisy for Shopify",
  "app.tagline": "Pay in instalments with Soisy: instalment payments for your Shopify store.",
  "landing.what": "Your shoppers pay in easy instalments with Soisy; you receive the full amount.",
  "landing.shopLabel": "Shop domain",
  "landing.shopHelp": "example: my-shop.myshopify.com",
  "landing.login": "Log in",
  "landing.install": "Install the app from the Shopify App Store, then enter your Soisy keys.",
  "login.title": "Log in to Soisy for Shopify",
  "login.error.missingShop": "Enter your shop domain.",
  "login.error.invalidShop": "The shop domain is not valid: use the form my-shop.myshopify.com.",
  "dashboard.title": "Soisy: instalment payments",
  "dashboard.ready": "Ready: you can activate Soisy as a payment method in the Shopify admin.",
  "dashboard.notReady": "Not ready yet: enter and verify your production Soisy credentials.",
  "dashboard.sandbox": "Sandbox credentials",
  "dashboard.production": "Production credentials",
  "dashboard.configured": "configured",
  "dashboard.missing": "missing",
  "dashboard.amountRange": "Accepted amounts: from {min} to {max}",
  "dashboard.payments": "Recorded payments: {count}",
  "error.title": "Something went wrong",
  "error.notFound": "Page not found",
  "common.language": "Language",
  "nav.label": "App menu",
  "nav.dashboard": "Overview",
  "nav.settings": "Settings",
  "nav.transactions": "Transactions",
  "nav.logout": "Log out",
  "shopper.confirming.title": "We are confirming your payment",
  "shopper.confirming.body": "Soisy is telling us the outcome of your instalment application. Please keep this page open: we will take you onward automatically in a few seconds.",
  "shopper.confirming.still": "This is taking longer than usual. You can wait here or come back later: you will receive the order confirmation either way.",
  "shopper.confirming.continue": "Continue",
  "shopper.notEligible.title": "Instalment payment is not available for this order",
  "shopper.notEligible.body": "Soisy cannot be used for this cart. We are taking you back to checkout to choose another payment method.",
  "shopper.linkNotValid": "This link is not valid or has expired.",
};

const en: Record<MessageKey, string> = {
  ...coreEn,
  ...settingsMessages.en,
  ...transactionsMessages.en,
  ...widgetMessages.en,
  ...preapprovalMessages.en,
  ...checkoutRulesMessages.en,
  ...refundsMessages.en,
  ...settlementsMessages.en,
  ...demoMessages.en,
  ...declineMessages.en,
  ...timelineMessages.en,
  ...fundOnFulfilmentMessages.en,
  ...refundSettleMessages.en,
  ...dashboardMetricsMessages.en,
  ...alertsMessages.en,
  ...payoutsMessages.en,
};

export const MESSAGES: Record<Locale, Record<MessageKey, string>> = { it, en };
