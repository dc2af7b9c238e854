import { defineMessages } from "../define";

/** Texts about hiding Soisy at checkout (payment customization), Italian and English, same keys. */
export const checkoutRulesMessages = defineMessages(
  {
    "checkoutRules.syncUnreachable":
      "Impostazioni salvate, ma Shopify non è raggiungibile: le regole che nascondono Soisy al checkout (importi, paesi, prodotti esclusi, carte regalo) non sono ancora aggiornate. Salva di nuovo tra qualche minuto per riprovare.",
    "checkoutRules.syncRefused":
      "Impostazioni salvate, ma Shopify ha rifiutato l'aggiornamento delle regole che nascondono Soisy al checkout. Verifica che l'app abbia il permesso di gestire le personalizzazioni dei pagamenti (reinstallala se richiesto), poi salva di nuovo.",
  },
  {
    "checkoutRules.syncUnreachable":
      "Settings saved, but Shopify cannot be reached: the rules hiding Soisy at checkout (amounts, countries, excluded products, gift cards) are not updated yet. Save again in a few minutes to retry.",
    "checkoutRules.syncRefused":
      "Settings saved, but Shopify refused to update the rules hiding Soisy at checkout. Check that the app may manage payment customizations (reinstall it if asked), then save again.",
  },
);
