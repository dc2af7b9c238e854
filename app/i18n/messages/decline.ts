import { defineMessages } from "../define";

/** Why Soisy cannot pay this order, told to the shopper on the app's not-eligible page. */
export const declineMessages = defineMessages(
  {
    "decline.amountRange": "Soisy finanzia acquisti da {min} a {max}: questo ordine è di {amount}.",
    "decline.currency": "Soisy accetta solo pagamenti in euro: questo ordine è in {currency}.",
    "decline.country": "Soisy offre il pagamento a rate solo con un indirizzo di fatturazione in {countries}.",
    "decline.kind": "Soisy può pagare solo acquisti addebitati subito per intero.",
    "decline.shopNotReady": "Il pagamento a rate con Soisy non è ancora attivo in questo negozio.",
    "decline.back": "Scegli un altro metodo di pagamento",
  },
  {
    "decline.amountRange": "Soisy finances purchases from {min} to {max}: this order is {amount}.",
    "decline.currency": "Soisy only accepts payments in euros: this order is in {currency}.",
    "decline.country": "Soisy offers instalments only with a billing address in {countries}.",
    "decline.kind": "Soisy can only pay purchases charged in full straight away.",
    "decline.shopNotReady": "Instalment payment with Soisy is not active in this shop yet.",
    "decline.back": "Choose another payment method",
  },
);
