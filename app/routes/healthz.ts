import { json } from "@remix-run/node";
import { db } from "~/db.server";

/** Liveness + database readiness for load balancers and the demo. */
export async function loader() {
  try {
    await db().$queryRawUnsafe("SELECT 1");
    return json({ ok: true, database: "up" });
  } catch {
    return json({ ok: false, database: "down" }, { status: 503 });
  }
}
