import { defineMessages } from "../define";

/** Texts of the widget area (Italian and English, same keys). */
export const widgetMessages = defineMessages(
  {
    "widget.placeholder": "widget",
  },
  {
    "widget.placeholder": "widget",
  },
);
