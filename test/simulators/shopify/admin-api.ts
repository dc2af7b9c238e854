/**
 * The Admin GraphQL API as the Shopify simulator plays it, for what the app uses to hide Soisy at checkout:
 * `POST /shops/{shop}/admin/api/{version}/graphql.json` with the shop's access token; every document is
 * validated against admin-schema.graphql (a hand-written subset of Shopify's Admin API) and executed with
 * graphql-js against in-memory state: payment customizations and metafields per owner gid.
 *
 * Semantics (Shopify's where documented, otherwise stated here):
 * - `paymentCustomizationCreate` needs exactly one of `functionHandle` / `functionId` naming one of the app's
 *   deployed functions of type payment_customization (`functions` option; by default the app's
 *   `soisy-payment-customization`), and a `title`; at most 25 enabled customizations per shop.
 *   Metafields in the input are set on the new customization (all or nothing).
 * - `metafieldsSet`: atomic (any error → nothing written), at most 25 entries; the owner must be the shop,
 *   the app installation or one of the shop's payment customizations; `type` is required for a new
 *   metafield; a `json` value must be JSON. `$app` / `$app:x` namespaces resolve to `app--{appId}` /
 *   `app--{appId}--x` (what Shopify answers); a missing namespace is `$app`.
 * - A token whose granted scopes (when known: shops installed through the simulator's OAuth) lack
 *   `write_payment_customizations` gets ACCESS_DENIED on the payment customization fields (HTTP 200).
 * Faults: `setFaults({ failNext: { count, status } })` answers the next requests with `status`, unapplied;
 * `down: true` answers every request with 503 until cleared.
 */
import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  buildSchema,
  execute,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { newGraphqlCall, parseGraphqlBody, type GraphqlCallBase } from "./graphql-call";
import { readBody, sendJson } from "./http";
import type { SimShop } from "./types";

export const ADMIN_GRAPHQL_PATH = /^\/shops\/([^/]+)\/admin\/api\/([^/]+)\/graphql\.json$/;
export const ADMIN_SCHEMA_PATH = path.join(import.meta.dirname, "admin-schema.graphql");
export const PAYMENT_CUSTOMIZATION_SCOPE = "write_payment_customizations";
const MAX_ACTIVE_CUSTOMIZATIONS = 25;
const MAX_METAFIELDS_PER_SET = 25;

let schemaCache: GraphQLSchema | undefined;
/** The Admin API subset, built once from admin-schema.graphql. */
export function adminSchema(): GraphQLSchema {
  schemaCache ??= buildSchema(readFileSync(ADMIN_SCHEMA_PATH, "utf8"));
  return schemaCache;
}

/** Parses and validates a document against the Admin API subset (never throws). */
export function validateAdminDocument(query: string): readonly GraphQLError[] {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
  }
  return validate(adminSchema(), document);
}

export interface SimFunction {
  id: string;
  handle: string;
  apiType: string;
  title: string;
}

export interface SimMetafield {
  id: string;
  ownerId: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
  createdAt: string;
  updatedAt: string;
}

export interface SimPaymentCustomization {
  id: string;
  shop: string;
  title: string;
  enabled: boolean;
  functionId: string;
  createdAt: string;
}

/** A call to the simulated Admin API (validation errors as messages; faults "fail" / "down"). */
export type AdminApiCall = GraphqlCallBase<string, "fail" | "down">;

export interface AdminApiFaults {
  failNext?: { count: number; status: number };
  down?: boolean;
}

export interface AdminApiDeps {
  apiVersion: string;
  /** The app's client id (functions' appKey). */
  appKey: string;
  shop(domain: string): SimShop | undefined;
  now(): Date;
  log(line: string): void;
  functions?: Array<Omit<SimFunction, "id"> & { id?: string }>;
}

interface ShopState {
  shopGid: string;
  installationGid: string;
}

interface UserError {
  field: string[] | null;
  message: string;
  code: string | null;
  elementIndex?: number | null;
}

/** A readable default name from the domain: "soisy-demo.myshopify.com" → "Soisy Demo". */
export function defaultShopName(domain: string): string {
  return domain
    .replace(/\.myshopify\.com$/i, "")
    .split(/[-_.]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(" ");
}

export function createAdminApi(deps: AdminApiDeps) {
  const appId = String(4_000_000 + (parseInt(createHash("sha256").update(deps.appKey).digest("hex").slice(0, 6), 16) % 1_000_000));
  const functions: SimFunction[] = (
    deps.functions ?? [{ handle: "soisy-payment-customization", apiType: "payment_customization", title: "Soisy: nascondi dove non disponibile" }]
  ).map((f) => ({ ...f, id: f.id ?? randomUUID() }));
  const shops = new Map<string, ShopState>();
  const customizations = new Map<string, SimPaymentCustomization>();
  const metafieldsByOwner = new Map<string, Map<string, SimMetafield>>();
  const calls: AdminApiCall[] = [];
  let faults: AdminApiFaults = {};
  let seq = 0;
  let gidSeq = 1000;

  const nextId = () => ++gidSeq;
  const iso = () => deps.now().toISOString();

  function shopState(domain: string): ShopState {
    let state = shops.get(domain);
    if (!state) {
      state = { shopGid: `gid://shopify/Shop/${nextId()}`, installationGid: `gid://shopify/AppInstallation/${nextId()}` };
      shops.set(domain, state);
    }
    return state;
  }

  function resolveNamespace(namespace: string | null | undefined): string {
    const ns = namespace ?? "$app";
    if (ns === "$app") return `app--${appId}`;
    if (ns.startsWith("$app:")) return `app--${appId}--${ns.slice(5)}`;
    return ns;
  }

  function metafieldOf(ownerId: string, namespace: string | null | undefined, key: string): SimMetafield | undefined {
    return metafieldsByOwner.get(ownerId)?.get(`${resolveNamespace(namespace)}.${key}`);
  }

  function metafieldObject(m: SimMetafield) {
    let jsonValue: unknown = m.value;
    if (m.type === "json") jsonValue = JSON.parse(m.value);
    return {
      ...m,
      jsonValue,
      compareDigest: createHash("sha256").update(`${m.id}:${m.updatedAt}:${m.value}`).digest("hex"),
    };
  }

  const withMetafield = (ownerId: string) => (args: { namespace?: string | null; key: string }) => {
    const m = metafieldOf(ownerId, args.namespace, args.key);
    return m ? metafieldObject(m) : null;
  };

  function customizationObject(c: SimPaymentCustomization) {
    const fn = functions.find((f) => f.id === c.functionId);
    return {
      ...c,
      shopifyFunction: { ...(fn ?? { id: c.functionId, handle: "", apiType: "payment_customization", title: "" }), appKey: deps.appKey },
      metafield: withMetafield(c.id),
    };
  }

  function ownersOf(domain: string): Set<string> {
    const state = shopState(domain);
    const owners = new Set([state.shopGid, state.installationGid]);
    for (const c of customizations.values()) if (c.shop === domain) owners.add(c.id);
    return owners;
  }

  interface SetInput {
    ownerId: string;
    namespace?: string | null;
    key: string;
    type?: string | null;
    value: string;
    compareDigest?: string | null;
  }

  /** Validates every entry; writes all of them only when none fails. */
  function setMetafields(domain: string, inputs: SetInput[], fieldPrefix: string[]): { metafields: SimMetafield[]; errors: UserError[] } {
    const errors: UserError[] = [];
    if (inputs.length > MAX_METAFIELDS_PER_SET) {
      errors.push({ field: fieldPrefix, message: `Exceeded the maximum metafields input limit of ${MAX_METAFIELDS_PER_SET}.`, code: "LESS_THAN_OR_EQUAL_TO" });
      return { metafields: [], errors };
    }
    const owners = ownersOf(domain);
    inputs.forEach((input, index) => {
      const field = (name: string) => [...fieldPrefix, String(index), name];
      const existing = metafieldOf(input.ownerId, input.namespace, input.key);
      if (!owners.has(input.ownerId)) {
        errors.push({ field: field("ownerId"), message: "Owner does not exist.", code: "INVALID_VALUE", elementIndex: index });
        return;
      }
      if (!/^[A-Za-z0-9_-]{2,64}$/.test(input.key)) {
        errors.push({ field: field("key"), message: "Key is invalid: 2 to 64 characters, letters, digits, - and _.", code: "INVALID_VALUE", elementIndex: index });
      }
      const type = input.type ?? existing?.type;
      if (!type) {
        errors.push({ field: field("type"), message: "Type can't be blank.", code: "BLANK", elementIndex: index });
        return;
      }
      if (existing && input.type && input.type !== existing.type) {
        errors.push({ field: field("type"), message: `Type must be ${existing.type}, the type of the existing metafield.`, code: "INVALID_TYPE", elementIndex: index });
      }
      if (type === "json") {
        try {
          JSON.parse(input.value);
        } catch {
          errors.push({ field: field("value"), message: "Value is invalid JSON.", code: "INVALID_VALUE", elementIndex: index });
        }
      }
      if (input.compareDigest && existing && metafieldObject(existing).compareDigest !== input.compareDigest) {
        errors.push({ field: field("compareDigest"), message: "The resource has been updated since it was loaded.", code: "STALE_OBJECT", elementIndex: index });
      }
    });
    if (errors.length > 0) return { metafields: [], errors };
    const written = inputs.map((input) => {
      const namespace = resolveNamespace(input.namespace);
      let owned = metafieldsByOwner.get(input.ownerId);
      if (!owned) metafieldsByOwner.set(input.ownerId, (owned = new Map()));
      const existing = owned.get(`${namespace}.${input.key}`);
      const now = iso();
      const metafield: SimMetafield = existing
        ? { ...existing, value: input.value, updatedAt: now }
        : { id: `gid://shopify/Metafield/${nextId()}`, ownerId: input.ownerId, namespace, key: input.key, type: input.type!, value: input.value, createdAt: now, updatedAt: now };
      owned.set(`${namespace}.${input.key}`, metafield);
      return metafield;
    });
    return { metafields: written, errors: [] };
  }

  function findFunction(input: { functionHandle?: string | null; functionId?: string | null }): SimFunction | UserError {
    if (input.functionHandle && input.functionId) {
      return { field: ["paymentCustomization"], message: "Only one of function_id or function_handle can be provided.", code: "MULTIPLE_FUNCTION_IDENTIFIERS" };
    }
    if (!input.functionHandle && !input.functionId) {
      return { field: ["paymentCustomization", "functionHandle"], message: "Either function_id or function_handle must be provided.", code: "MISSING_FUNCTION_IDENTIFIER" };
    }
    const fn = functions.find((f) => (input.functionHandle ? f.handle === input.functionHandle : f.id === input.functionId));
    if (!fn) {
      const field = input.functionHandle ? "functionHandle" : "functionId";
      return { field: ["paymentCustomization", field], message: "Function not found.", code: "FUNCTION_NOT_FOUND" };
    }
    if (fn.apiType !== "payment_customization") {
      return { field: ["paymentCustomization", "functionHandle"], message: "Function does not implement the required interface for this payment customization.", code: "FUNCTION_DOES_NOT_IMPLEMENT" };
    }
    return fn;
  }

  interface Context {
    domain: string;
    scopes: string[] | null;
  }

  interface CustomizationInput {
    enabled?: boolean | null;
    functionHandle?: string | null;
    functionId?: string | null;
    metafields?: Array<{ namespace?: string | null; key?: string | null; type?: string | null; value?: string | null }> | null;
    title?: string | null;
  }

  function activeCount(domain: string, except?: string): number {
    return [...customizations.values()].filter((c) => c.shop === domain && c.enabled && c.id !== except).length;
  }

  function applyCustomizationMetafields(domain: string, id: string, input: CustomizationInput): UserError[] {
    const entries = input.metafields ?? [];
    const bad = entries.findIndex((m) => !m.key || typeof m.value !== "string");
    if (bad >= 0) return [{ field: ["paymentCustomization", "metafields", String(bad)], message: "Metafields are invalid: key and value are required.", code: "INVALID_METAFIELDS" }];
    if (entries.length === 0) return [];
    const result = setMetafields(
      domain,
      entries.map((m) => ({ ownerId: id, namespace: m.namespace, key: m.key!, type: m.type, value: m.value! })),
      ["paymentCustomization", "metafields"],
    );
    return result.errors.map((e) => ({ field: e.field, message: e.message, code: "INVALID_METAFIELDS" }));
  }

  const rootValue = {
    shop: (_args: unknown, ctx: Context) => ({
      id: shopState(ctx.domain).shopGid,
      name: deps.shop(ctx.domain)?.name ?? defaultShopName(ctx.domain),
      myshopifyDomain: ctx.domain,
      currencyCode: deps.shop(ctx.domain)?.currency ?? "EUR",
    }),
    currentAppInstallation: (_args: unknown, ctx: Context) => {
      const id = shopState(ctx.domain).installationGid;
      return { id, metafield: withMetafield(id) };
    },
    paymentCustomizations: (args: { first?: number | null; last?: number | null; reverse?: boolean | null }, ctx: Context) => {
      requireScope(ctx, "paymentCustomizations");
      if (args.first == null && args.last == null) throw new GraphQLError("you must provide one of first or last");
      let list = [...customizations.values()].filter((c) => c.shop === ctx.domain);
      if (args.reverse) list = list.reverse();
      const page = args.first != null ? list.slice(0, args.first) : list.slice(Math.max(0, list.length - (args.last ?? 0)));
      const nodes = page.map(customizationObject);
      return {
        nodes,
        edges: nodes.map((node) => ({ cursor: Buffer.from(node.id).toString("base64"), node })),
        pageInfo: {
          hasNextPage: args.first != null && list.length > page.length,
          hasPreviousPage: args.last != null && list.length > page.length,
          startCursor: nodes[0] ? Buffer.from(nodes[0].id).toString("base64") : null,
          endCursor: nodes.at(-1) ? Buffer.from(nodes.at(-1)!.id).toString("base64") : null,
        },
      };
    },
    paymentCustomization: (args: { id: string }, ctx: Context) => {
      requireScope(ctx, "paymentCustomization");
      const c = customizations.get(args.id);
      return c && c.shop === ctx.domain ? customizationObject(c) : null;
    },
    paymentCustomizationCreate: (args: { paymentCustomization: CustomizationInput }, ctx: Context) => {
      requireScope(ctx, "paymentCustomizationCreate");
      const input = args.paymentCustomization;
      const fn = findFunction(input);
      if ("message" in fn) return { paymentCustomization: null, userErrors: [fn] };
      if (!input.title) {
        return { paymentCustomization: null, userErrors: [{ field: ["paymentCustomization", "title"], message: "Required input field must be present.", code: "REQUIRED_INPUT_FIELD" }] };
      }
      const enabled = input.enabled ?? false;
      if (enabled && activeCount(ctx.domain) >= MAX_ACTIVE_CUSTOMIZATIONS) {
        return { paymentCustomization: null, userErrors: [{ field: [], message: "Maximum payment customizations are already enabled", code: "MAXIMUM_ACTIVE_PAYMENT_CUSTOMIZATIONS" }] };
      }
      const customization: SimPaymentCustomization = {
        id: `gid://shopify/PaymentCustomization/${nextId()}`,
        shop: ctx.domain,
        title: input.title,
        enabled,
        functionId: fn.id,
        createdAt: iso(),
      };
      customizations.set(customization.id, customization);
      const errors = applyCustomizationMetafields(ctx.domain, customization.id, input);
      if (errors.length > 0) {
        customizations.delete(customization.id);
        return { paymentCustomization: null, userErrors: errors };
      }
      return { paymentCustomization: customizationObject(customization), userErrors: [] };
    },
    paymentCustomizationUpdate: (args: { id: string; paymentCustomization: CustomizationInput }, ctx: Context) => {
      requireScope(ctx, "paymentCustomizationUpdate");
      const existing = customizations.get(args.id);
      if (!existing || existing.shop !== ctx.domain) {
        return { paymentCustomization: null, userErrors: [{ field: ["id"], message: "Could not find PaymentCustomization with id: " + args.id, code: "PAYMENT_CUSTOMIZATION_NOT_FOUND" }] };
      }
      const input = args.paymentCustomization;
      if (input.functionHandle || input.functionId) {
        const fn = findFunction(input);
        if ("message" in fn) return { paymentCustomization: null, userErrors: [fn] };
        if (fn.id !== existing.functionId) {
          return { paymentCustomization: null, userErrors: [{ field: ["paymentCustomization", "functionId"], message: "Function ID cannot be changed.", code: "FUNCTION_ID_CANNOT_BE_CHANGED" }] };
        }
      }
      if (input.enabled === true && !existing.enabled && activeCount(ctx.domain, existing.id) >= MAX_ACTIVE_CUSTOMIZATIONS) {
        return { paymentCustomization: null, userErrors: [{ field: [], message: "Maximum payment customizations are already enabled", code: "MAXIMUM_ACTIVE_PAYMENT_CUSTOMIZATIONS" }] };
      }
      const errors = applyCustomizationMetafields(ctx.domain, existing.id, input);
      if (errors.length > 0) return { paymentCustomization: null, userErrors: errors };
      if (input.title != null) existing.title = input.title;
      if (input.enabled != null) existing.enabled = input.enabled;
      return { paymentCustomization: customizationObject(existing), userErrors: [] };
    },
    metafieldsSet: (args: { metafields: SetInput[] }, ctx: Context) => {
      const result = setMetafields(ctx.domain, args.metafields, ["metafields"]);
      if (result.errors.length > 0) return { metafields: null, userErrors: result.errors };
      return { metafields: result.metafields.map(metafieldObject), userErrors: [] };
    },
  };

  function requireScope(ctx: Context, field: string): void {
    if (ctx.scopes && !ctx.scopes.includes(PAYMENT_CUSTOMIZATION_SCOPE)) {
      throw new GraphQLError(`Access denied for ${field} field. Required access: \`${PAYMENT_CUSTOMIZATION_SCOPE}\` access scope.`, {
        extensions: { code: "ACCESS_DENIED", documentation: "https://shopify.dev/api/usage/access-scopes", requiredAccess: `\`${PAYMENT_CUSTOMIZATION_SCOPE}\` access scope.` },
      });
    }
  }

  function takeFault(): { status: number; kind: "fail" | "down" } | null {
    if (faults.down) return { status: 503, kind: "down" };
    const fail = faults.failNext;
    if (fail && fail.count > 0) {
      fail.count -= 1;
      return { status: fail.status, kind: "fail" };
    }
    return null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, domain: string, version: string): Promise<void> {
    const raw = await readBody(req);
    const shop = deps.shop(domain);
    const token = req.headers["x-shopify-access-token"];
    const body = parseGraphqlBody(raw);
    const call: AdminApiCall = newGraphqlCall(
      { seq: ++seq, at: iso(), shop: domain, apiVersion: version, tokenOk: token === undefined ? null : shop !== undefined && token === shop.accessToken },
      body,
    );
    calls.push(call);
    const respond = (status: number, payload: unknown) => {
      call.status = status;
      call.responseBody = payload;
      sendJson(res, status, payload, { "X-Request-Id": randomUUID(), "X-Shopify-API-Version": deps.apiVersion });
    };
    const operationName = call.operationName;

    const fault = takeFault();
    if (fault) {
      call.fault = fault.kind;
      return respond(fault.status, { errors: fault.status === 503 ? "Service Unavailable" : "Internal Server Error" });
    }
    if (!shop || version !== deps.apiVersion) return respond(404, { errors: "Not Found" });
    if (call.tokenOk !== true) return respond(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    if (!body || typeof body.query !== "string" || body.query.trim() === "") {
      return respond(400, { errors: { query: "Required parameter missing or invalid" } });
    }
    let document: DocumentNode;
    try {
      document = parse(body.query);
    } catch (error) {
      const e = error instanceof GraphQLError ? error : new GraphQLError(String(error));
      call.validationErrors = [e.message];
      return respond(200, { errors: [e.toJSON()] });
    }
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
    call.operationName = operationName ?? operation?.name?.value ?? null;
    call.rootFields = operation?.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : [])) ?? [];
    const errors = validate(adminSchema(), document);
    if (errors.length > 0) {
      call.validationErrors = errors.map((e) => e.message);
      deps.log(`admin graphql #${call.seq}: invalid document (${call.validationErrors.join("; ")})`);
      return respond(200, { errors: errors.map((e) => e.toJSON()) });
    }
    const context: Context = { domain, scopes: shop.scopes ?? null };
    const result = await execute({
      schema: adminSchema(),
      document,
      rootValue,
      contextValue: context,
      variableValues: call.variables,
      operationName,
    });
    const payload: Record<string, unknown> = {};
    if (result.errors) payload.errors = result.errors.map((e) => e.toJSON());
    if (result.data !== undefined) payload.data = result.data;
    deps.log(`admin graphql #${call.seq}: ${call.operationName ?? call.rootFields.join(",")}`);
    return respond(200, payload);
  }

  return {
    appId,
    calls,
    functions,
    /** Handles the request when it is for the Admin API; false otherwise. */
    async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
      const match = ADMIN_GRAPHQL_PATH.exec(url.pathname);
      if (!match) return false;
      if (req.method !== "POST") {
        sendJson(res, 405, { errors: "Method Not Allowed" }, { Allow: "POST" });
        return true;
      }
      await handle(req, res, decodeURIComponent(match[1] ?? ""), decodeURIComponent(match[2] ?? ""));
      return true;
    },
    graphqlPath: (shop: string, version = deps.apiVersion) => `/shops/${encodeURIComponent(shop)}/admin/api/${version}/graphql.json`,
    /** The shop's app installation gid (owner of app-data metafields). */
    appInstallationId: (shop: string) => shopState(shop).installationGid,
    shopId: (shop: string) => shopState(shop).shopGid,
    /** The shop's payment customizations, oldest first. */
    paymentCustomizations: (shop: string) => [...customizations.values()].filter((c) => c.shop === shop).map((c) => ({ ...c })),
    /** The metafields of an owner (namespaces resolved, e.g. `app--{appId}--soisy`). */
    metafields: (ownerGid: string) => [...(metafieldsByOwner.get(ownerGid)?.values() ?? [])].map((m) => ({ ...m })),
    /** One metafield; `$app…` namespaces are resolved like the API does. */
    metafield: (ownerGid: string, namespace: string, key: string) => {
      const m = metafieldOf(ownerGid, namespace, key);
      return m ? { ...m } : undefined;
    },
    resolveNamespace,
    setFaults(next: AdminApiFaults) {
      faults = { ...faults, ...structuredClone(next) };
    },
    clearFaults() {
      faults = {};
    },
    faults: () => structuredClone(faults),
    state() {
      return {
        appId,
        functions,
        shops: Object.fromEntries(shops),
        paymentCustomizations: [...customizations.values()],
        metafields: Object.fromEntries([...metafieldsByOwner].map(([owner, m]) => [owner, [...m.values()]])),
        faults,
        calls,
      };
    },
  };
}

export type AdminApi = ReturnType<typeof createAdminApi>;
