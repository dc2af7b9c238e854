import { defineMessages } from "../define";

/** Texts about hiding Soisy at checkout (payment customization), Italian and English, same keys. */
export const checkoutRulesMessages = defineMessages(
  {
    "checkoutRules.placeholder": "checkoutRules",
  },
  {
    "checkoutRules.placeholder": "checkoutRules",
  },
);
