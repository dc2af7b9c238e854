import { defineMessages } from "../define";

/** Texts of the widget area (Italian and English, same keys): the settings page's widget preview. */
export const widgetMessages = defineMessages(
  {
    "widget.preview.title": "Anteprima del widget",
    "widget.preview.intro":
      "Così i clienti vedono il widget \"Paga a rate\" nelle pagine prodotto e nel carrello, con le impostazioni salvate (rate, tasso zero, importi ammessi). Aggiungilo al tema dall'editor del tema: blocchi app \"Rate Soisy (prodotto)\" e \"Rate Soisy (carrello)\".",
    "widget.preview.amount": "Importo di esempio (€)",
    "widget.preview.amountHelp": "Nel negozio il widget appare da {min} a {max}.",
    "widget.preview.amountInvalid": "Inserisci un importo in euro, ad esempio 1000 o 1000,50.",
    "widget.preview.outOfRange": "Fuori dagli importi ammessi ({min} – {max}): nel negozio il widget resta nascosto.",
    "widget.preview.notReady":
      "Soisy non è ancora pronto per questo negozio: finché non lo è, il widget resta nascosto nel negozio e l'anteprima è vuota.",
    "widget.preview.hiddenNote": "Se Soisy non risponde o l'importo non è ammesso, il widget si nasconde senza spostare la pagina.",
  },
  {
    "widget.preview.title": "Widget preview",
    "widget.preview.intro":
      "This is how shoppers see the \"Pay in instalments\" widget on product and cart pages, with your saved settings (instalments, zero interest, amount range). Add it to your theme in the theme editor: app blocks \"Soisy instalments (product)\" and \"Soisy instalments (cart)\".",
    "widget.preview.amount": "Sample amount (€)",
    "widget.preview.amountHelp": "In your store the widget shows from {min} to {max}.",
    "widget.preview.amountInvalid": "Enter an amount in euros, for example 1000 or 1000.50.",
    "widget.preview.outOfRange": "Outside your amount range ({min} – {max}): the widget stays hidden in your store.",
    "widget.preview.notReady":
      "Soisy is not ready for this shop yet: until it is, the widget stays hidden in your store and the preview is empty.",
    "widget.preview.hiddenNote": "When Soisy does not answer or the amount is not allowed, the widget hides itself without moving the page.",
  },
);
