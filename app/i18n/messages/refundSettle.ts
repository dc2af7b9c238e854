import { defineMessages } from "../define";

/**
 * Refunds settled from Soisy's own data (app/payments/refund-settle*.ts): the payment timeline's
 * sentences (settled, or left to the merchant and why) and the refund card's note that the app is
 * watching Soisy for the refund.
 */
export const refundSettleMessages = defineMessages(
  {
    "tl.refundSettled.cancelled": "Rimborso di {amount} chiuso automaticamente: su Soisy il finanziamento risulta annullato",
    "tl.refundSettled.reduced": "Rimborso di {amount} chiuso automaticamente: su Soisy il finanziamento è sceso da {before} a {after}, esattamente l'importo rimborsato",
    "tl.refundAmbiguous": "Rimborso di {amount} non chiuso automaticamente. {seen}. {why} Conferma tu il rimborso quando l'hai fatto su Soisy.",
    "tl.refundAmbiguous.seenCancelled": "Su Soisy il finanziamento risulta annullato",
    "tl.refundAmbiguous.seenLoan": "Soisy mostra: {status}; finanziamento di {after} (prima di questo rimborso: {before})",
    "tl.refundAmbiguous.seenStatus": "Soisy mostra: {status}",
    "tl.refundAmbiguous.why.payment_amount_mismatch": "Il finanziamento non corrispondeva all'importo dell'ordine, quindi il confronto non è affidabile.",
    "tl.refundAmbiguous.why.loan_unknown": "L'app non conosce l'importo finanziato da cui partire.",
    "tl.refundAmbiguous.why.cancelled_partial": "Il finanziamento è annullato per intero, ma i rimborsi richiesti non coprono l'intero importo.",
    "tl.refundAmbiguous.why.status_unknown": "Con questo stato Soisy non conferma un rimborso.",
    "tl.refundAmbiguous.why.loan_amount_missing": "Soisy non ha indicato l'importo del finanziamento.",
    "tl.refundAmbiguous.why.loan_higher": "Il finanziamento è più alto del previsto (forse un rimborso precedente è stato confermato senza ridurlo su Soisy).",
    "tl.refundAmbiguous.why.reduced_other_amount": "Il finanziamento è stato ridotto di un importo diverso da quello dei rimborsi aperti.",
    "tl.refundAmbiguous.why.reduced_several_ways": "La riduzione corrisponde a più combinazioni di rimborsi aperti: l'app non sa quale hai fatto.",
    "tl.refundAmbiguous.why.too_many_refunds": "Ci sono troppi rimborsi aperti per attribuire la riduzione.",
    "tl.refundAmbiguous.why.other": "I dati di Soisy non dimostrano questo rimborso.",
    "transactions.refunds.watching": "L'app controlla Soisy per questo rimborso: quando annulli il finanziamento (rimborso totale) o lo riduci esattamente di questo importo, il rimborso si chiude da solo. Se i dati di Soisy non sono chiari, decidi tu qui.",
    "transactions.refunds.lastChecked": "Ultimo controllo su Soisy: {date}",
  },
  {
    "tl.refundSettled.cancelled": "Refund of {amount} settled automatically: Soisy shows the loan cancelled",
    "tl.refundSettled.reduced": "Refund of {amount} settled automatically: Soisy shows the loan reduced from {before} to {after}, exactly the refunded amount",
    "tl.refundAmbiguous": "Refund of {amount} not settled automatically. {seen}. {why} Confirm the refund yourself once you have made it at Soisy.",
    "tl.refundAmbiguous.seenCancelled": "Soisy shows the loan cancelled",
    "tl.refundAmbiguous.seenLoan": "Soisy shows: {status}; a loan of {after} (before this refund: {before})",
    "tl.refundAmbiguous.seenStatus": "Soisy shows: {status}",
    "tl.refundAmbiguous.why.payment_amount_mismatch": "The loan did not match the order amount, so the comparison cannot be trusted.",
    "tl.refundAmbiguous.why.loan_unknown": "The app does not know the financed amount to start from.",
    "tl.refundAmbiguous.why.cancelled_partial": "The whole loan is cancelled, but the refunds requested do not cover the whole amount.",
    "tl.refundAmbiguous.why.status_unknown": "With this status Soisy does not confirm a refund.",
    "tl.refundAmbiguous.why.loan_amount_missing": "Soisy did not give the loan amount.",
    "tl.refundAmbiguous.why.loan_higher": "The loan is higher than expected (perhaps an earlier refund was confirmed without reducing it at Soisy).",
    "tl.refundAmbiguous.why.reduced_other_amount": "The loan was reduced by an amount other than the open refunds'.",
    "tl.refundAmbiguous.why.reduced_several_ways": "The reduction matches more than one combination of open refunds: the app cannot tell which one you made.",
    "tl.refundAmbiguous.why.too_many_refunds": "There are too many open refunds to attribute the reduction.",
    "tl.refundAmbiguous.why.other": "Soisy's data does not prove this refund.",
    "transactions.refunds.watching": "The app is watching Soisy for this refund: once you cancel the loan (full refund) or reduce it by exactly this amount, the refund is settled by itself. If Soisy's data is not clear, you decide here.",
    "transactions.refunds.lastChecked": "Last checked at Soisy: {date}",
  },
);
