/** Runs the mail simulator on its own: `npx tsx test/simulators/mail/main.ts` (MAIL_SMTP_PORT, MAIL_HTTP_PORT). */
import { startMailSimulator } from "./simulator";

const sim = await startMailSimulator({ smtpPort: Number(process.env.MAIL_SMTP_PORT ?? 2525), httpPort: Number(process.env.MAIL_HTTP_PORT ?? 4300) });
console.log(`mail simulator: SMTP ${sim.smtpUrl}, inbox ${sim.inboxUrl}`);
const stop = () => void sim.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
