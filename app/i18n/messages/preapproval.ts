import { defineMessages } from "../define";

/** Texts of the preapproval area (Italian and English, same keys). */
export const preapprovalMessages = defineMessages(
  {
    "preapproval.placeholder": "preapproval",
  },
  {
    "preapproval.placeholder": "preapproval",
  },
);
