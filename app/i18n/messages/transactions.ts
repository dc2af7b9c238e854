import { defineMessages } from "../define";

/** Texts of the merchant's transactions pages (Italian and English, same keys). */
export const transactionsMessages = defineMessages(
  {
    "transactions.title": "Transazioni",
  },
  {
    "transactions.title": "Transactions",
  },
);
