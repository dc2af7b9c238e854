import { defineMessages } from "../define";

/** Texts of the merchant's settings pages (Italian and English, same keys). */
export const settingsMessages = defineMessages(
  {
    "settings.title": "Impostazioni",
  },
  {
    "settings.title": "Settings",
  },
);
