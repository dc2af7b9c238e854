import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { appConfig } from "~/config.server";
import { db } from "~/db.server";
import { outgoingRequest } from "~/http/outgoing.server";
import { getShopSettings } from "~/settings/settings.server";
import { localeFromRequest, translator } from "~/i18n/i18n";
import { formatEuro } from "~/soisy/money";

export const meta: MetaFunction = () => [{ title: "Soisy per Shopify — demo" }];

/** Offline demo overview (DEMO_MODE only): the demo shop's settings and its payment sessions. */
export async function loader({ request }: LoaderFunctionArgs) {
  if (!appConfig().DEMO_MODE) throw new Response("Not Found", { status: 404 });
  const shops = await db().shopSettings.findMany({ orderBy: { shop: "asc" }, take: 10 });
  const settings = await Promise.all(shops.map((s) => getShopSettings(db(), s.shop)));
  const sessions = await db().paymentSession.findMany({
    orderBy: { createdAt: "desc" },
    take: 50,
    select: { id: true, shop: true, amountCents: true, state: true, test: true, soisyToken: true, createdAt: true },
  });
  return { settings: settings.filter((s) => s !== null), sessions, locale: localeFromRequest(request) };
}

const operatorAction = z.object({ id: z.string().min(1).max(255), eventId: z.enum(["LoanWasVerified", "LoanWasDisbursed"]) });

/**
 * Demo only: plays Soisy's operator (who verifies loans by hand in sandbox) through the Soisy
 * simulator's operator endpoint, so the whole flow can be seen without waiting for anyone.
 */
export async function action({ request }: ActionFunctionArgs) {
  if (!appConfig().DEMO_MODE || !process.env.SOISY_API_URL) throw new Response("Not Found", { status: 404 });
  const input = operatorAction.safeParse(Object.fromEntries(await request.formData()));
  if (!input.success) return json({ error: "invalid request" }, { status: 400 });
  const session = await db().paymentSession.findUnique({ where: { id: input.data.id } });
  if (!session?.soisyToken) return json({ error: "unknown payment" }, { status: 404 });
  const res = await outgoingRequest({
    url: `${process.env.SOISY_API_URL.replace(/\/$/, "")}/_sim/orders/${encodeURIComponent(session.soisyToken)}/events`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ eventId: input.data.eventId }),
  });
  if (res.kind !== "ok") return json({ error: `the Soisy simulator answered ${"status" in res ? res.status : res.kind}` }, { status: 502 });
  return redirect(`/demo?${new URL(request.url).searchParams.toString()}`);
}

export default function Demo() {
  const { settings, sessions, locale } = useLoaderData<typeof loader>();
  const t = translator(locale);
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 960, margin: "2rem auto", padding: "0 1rem" }}>
      <h1>
        {t("app.name")} — {t("demo.title")}
      </h1>
      {settings.map((s) => (
        <section key={s.shop} aria-label={t("demo.shop")}>
          <h2>
            {t("demo.shop")}: <span data-testid="demo-shop">{s.shop}</span>
          </h2>
          <p>{s.ready ? t("dashboard.ready") : t("dashboard.notReady")}</p>
          <p>
            {t("dashboard.sandbox")}: {s.credentials.sandbox.soisyShopId && s.credentials.sandbox.apiKeySet ? `${s.credentials.sandbox.soisyShopId} (${t("dashboard.configured")})` : t("dashboard.missing")}
          </p>
          <p>{t("dashboard.amountRange", { min: formatEuro(s.minAmountCents, locale), max: formatEuro(s.maxAmountCents, locale) })}</p>
        </section>
      ))}
      <h2>{t("demo.sessions")}</h2>
      {sessions.length === 0 ? (
        <p>{t("demo.noSessions")}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">id</th>
              <th scope="col">shop</th>
              <th scope="col">€</th>
              <th scope="col">state</th>
              <th scope="col">test</th>
              <th scope="col">Soisy token</th>
              <th scope="col">Soisy operator</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id}>
                <td>{s.id}</td>
                <td>{s.shop}</td>
                <td>{formatEuro(s.amountCents, locale)}</td>
                <td>{s.state}</td>
                <td>{String(s.test)}</td>
                <td>{s.soisyToken ?? "—"}</td>
                <td>
                  {s.soisyToken && (s.state === "pending" || s.state === "redirected") ? (
                    <Form method="post">
                      <input type="hidden" name="id" value={s.id} />
                      <button type="submit" name="eventId" value="LoanWasVerified">
                        LoanWasVerified
                      </button>
                    </Form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav aria-label={t("common.language")}>
        <a href="?lang=it" hrefLang="it">Italiano</a> · <a href="?lang=en" hrefLang="en">English</a>
      </nav>
    </main>
  );
}
