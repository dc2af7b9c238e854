import { defineMessages } from "../define";

/**
 * Why a Shopify capture or void session was rejected (app/payments/settlement-lifecycle.ts). Shopify's
 * merchantMessage gets the English text; the admin shows the merchant's language.
 */
export const settlementsMessages = defineMessages(
  {
    "settlement.reject.not_authorization": "Incasso rifiutato: il pagamento non è un'autorizzazione Soisy completata (stato: {state}).",
    "settlement.reject.second_capture": "Incasso rifiutato: questo pagamento è già stato incassato; Soisy finanzia un ordine una sola volta.",
    "settlement.reject.amount_above_authorized": "Incasso rifiutato: {amount} supera l'importo autorizzato ({authorized}).",
    "settlement.reject.currency_mismatch": "Incasso rifiutato: la valuta ({currency}) non è quella del pagamento ({paymentCurrency}).",
    "settlement.reject.capture_after_void": "Incasso rifiutato: l'autorizzazione è stata annullata.",
    "settlement.reject.void_after_capture": "Annullamento rifiutato: il pagamento è già stato incassato e Soisy ha finanziato il prestito. Usa un rimborso.",
    "settlement.reject.void_not_authorization": "Annullamento rifiutato: il pagamento non è un'autorizzazione Soisy completata (stato: {state}).",
    "settlement.reject.expired": "Incasso rifiutato: l'autorizzazione è scaduta il {expiredAt}.",
    "settlement.reject.order_cancelled": "Incasso rifiutato: la richiesta di finanziamento è stata annullata su Soisy.",
    "settlement.reject.soisy": "Incasso rifiutato da Soisy ({reason}): {detail}",
    "settlement.soisy.unknown_order": "Soisy non conosce l'ordine",
    "settlement.soisy.not_suspended": "l'ordine non è sospeso: il negozio non ha il contratto per gli ordini sospesi",
    "settlement.soisy.not_verified": "il finanziamento non è ancora stato verificato",
    "settlement.soisy.amount_exceeds_loan": "l'importo supera il prestito",
    "settlement.soisy.invalid_amount": "importo non valido",
    "settlement.soisy.already_triggered": "il finanziamento è già stato attivato",
    "settlement.soisy.order_cancelled": "la richiesta è stata annullata",
    "settlement.soisy.auth": "credenziali Soisy rifiutate",
    "settlement.soisy.rejected": "richiesta rifiutata",
  },
  {
    "settlement.reject.not_authorization": "Capture rejected: the payment is not a completed Soisy authorization (state: {state}).",
    "settlement.reject.second_capture": "Capture rejected: this payment was already captured; Soisy funds an order only once.",
    "settlement.reject.amount_above_authorized": "Capture rejected: {amount} exceeds the authorized amount ({authorized}).",
    "settlement.reject.currency_mismatch": "Capture rejected: the currency ({currency}) is not the payment's ({paymentCurrency}).",
    "settlement.reject.capture_after_void": "Capture rejected: the authorization was voided.",
    "settlement.reject.void_after_capture": "Void rejected: the payment was already captured and Soisy funded the loan. Use a refund.",
    "settlement.reject.void_not_authorization": "Void rejected: the payment is not a completed Soisy authorization (state: {state}).",
    "settlement.reject.expired": "Capture rejected: the authorization expired on {expiredAt}.",
    "settlement.reject.order_cancelled": "Capture rejected: the loan application was cancelled at Soisy.",
    "settlement.reject.soisy": "Capture refused by Soisy ({reason}): {detail}",
    "settlement.soisy.unknown_order": "Soisy does not know the order",
    "settlement.soisy.not_suspended": "the order is not suspended: the shop has no suspended-orders contract",
    "settlement.soisy.not_verified": "the loan is not verified yet",
    "settlement.soisy.amount_exceeds_loan": "the amount exceeds the loan",
    "settlement.soisy.invalid_amount": "invalid amount",
    "settlement.soisy.already_triggered": "the funding was already triggered",
    "settlement.soisy.order_cancelled": "the application was cancelled",
    "settlement.soisy.auth": "Soisy credentials refused",
    "settlement.soisy.rejected": "request refused",
  },
);
