import { defineMessages } from "../define";

/**
 * Why the app refused a Shopify refund session (sent to Shopify with refundSessionReject and shown
 * to the merchant there, both languages in one message of at most 255 characters).
 */
export const refundsMessages = defineMessages(
  {
    "refund.refused.currency": "Rimborso rifiutato: la valuta ({currency}) non è quella del pagamento ({paymentCurrency}).",
    "refund.refused.amount": "Rimborso rifiutato: l'importo deve essere maggiore di zero.",
    "refund.refused.exceeds": "Rimborso rifiutato: supera l'importo rimborsabile ({remaining} restanti).",
    "refund.refused.state": "Rimborso rifiutato: il pagamento non è stato completato con Soisy (stato: {state}).",
  },
  {
    "refund.refused.currency": "Refund rejected: the currency ({currency}) is not the payment's ({paymentCurrency}).",
    "refund.refused.amount": "Refund rejected: the amount must be greater than zero.",
    "refund.refused.exceeds": "Refund rejected: it exceeds the refundable amount ({remaining} left).",
    "refund.refused.state": "Refund rejected: the payment was not completed with Soisy (state: {state}).",
  },
);
