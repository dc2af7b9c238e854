import { describe, expect, it } from "vitest";
import type { ServerBuild } from "@remix-run/node";
import pino from "pino";
import { createDirectRoutes } from "../../server/direct-routes";

type Module = Record<string, unknown>;
function buildOf(routes: Record<string, { path?: string; parentId?: string; index?: boolean; module: Module }>): ServerBuild {
  return { routes: Object.fromEntries(Object.entries(routes).map(([id, r]) => [id, { id, ...r }])) } as unknown as ServerBuild;
}

const quote: Module = { loader: () => Response.json({ quote: true }) };
const sessions: Module = { action: ({ request }: { request: Request }) => Response.json({ method: request.method }, { status: 201 }) };
const build = buildOf({
  root: { path: "", module: { default: () => null, loader: () => ({}) } },
  "routes/proxy.quote": { path: "proxy/quote", parentId: "root", module: quote },
  "routes/payments.sessions": { path: "payments/sessions", parentId: "root", module: sessions },
  "routes/payments.status.$id.$secret": { path: "payments/status/:id/:secret", parentId: "root", module: { loader: () => Response.json({}) } },
  "routes/app": { path: "app", parentId: "root", module: { default: () => null, loader: () => ({}) } },
  "routes/app.transactions[.csv]": { path: "transactions.csv", parentId: "routes/app", module: { loader: () => new Response("csv") } },
  "routes/app.settings": { path: "settings", parentId: "routes/app", module: { default: () => null, loader: () => ({}) } },
  "routes/throws-response": { path: "thrown", parentId: "root", module: { loader: () => { throw new Response("nope", { status: 418 }); } } },
  "routes/throws-error": { path: "broken", parentId: "root", module: { loader: () => { throw new Error("bug"); } } },
});
const logger = pino({ level: "silent" });
const direct = createDirectRoutes(build, logger);
const get = (path: string, method = "GET") => direct(new Request(`http://app.test${path}`, { method, ...(method === "POST" ? { body: "{}" } : {}) }), path.split("?")[0]!);

describe("resource routes with a fixed path, answered without Remix's router", () => {
  it("takes exactly the resource routes whose full path has no params (pages, layouts and dynamic routes stay with Remix)", () => {
    expect(direct.paths).toEqual(["/app/transactions.csv", "/broken", "/payments/sessions", "/proxy/quote", "/thrown"]);
  });

  it("answers with the route's loader or action, matching like Remix (case, trailing slash, percent-encoding)", async () => {
    expect(await (await get("/proxy/quote"))!.json()).toEqual({ quote: true });
    expect(await (await get("/Proxy/QUOTE/"))!.json()).toEqual({ quote: true });
    expect(await (await get("/proxy/%71uote"))!.json()).toEqual({ quote: true });
    const created = (await get("/payments/sessions", "POST"))!;
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ method: "POST" });
    expect(await (await get("/app/transactions.csv"))!.text()).toBe("csv");
  });

  it("leaves to Remix what it must answer itself: other paths, a method the route has no handler for, Remix data requests", () => {
    expect(get("/payments/status/abc/def")).toBeNull();
    expect(get("/app/settings")).toBeNull();
    expect(get("/nowhere")).toBeNull();
    expect(get("/proxy/quote", "POST")).toBeNull(); // no action: Remix answers 405
    expect(get("/payments/sessions")).toBeNull(); // no loader
    expect(get("/proxy/quote?_data=root")).toBeNull();
  });

  it("answers a thrown Response as Remix does, and an error with a logged 500", async () => {
    const thrown = (await get("/thrown"))!;
    expect(thrown.status).toBe(418);
    expect(thrown.headers.get("x-remix-catch")).toBe("yes");
    expect(await thrown.text()).toBe("nope");
    const broken = (await get("/broken"))!;
    expect(broken.status).toBe(500);
    expect(await broken.text()).toBe("Unexpected Server Error");
  });
});
