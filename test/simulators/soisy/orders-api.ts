/**
 * Soisy's API under `/api/shops/{shopId}`: the shop, loan quotes, creating and reading orders (step 1),
 * and the routing of the step-2 requests (loan-requests.ts) and of match-trigger (suspended.ts).
 * Validation rules come from validation.ts.
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { SimContext } from "./context";
import { SimHttpError, now, requireMethod, segments, send, sendNoContent, validationError } from "./http";
import { approveLoanRequest, createLoanRequest } from "./loan-requests";
import { computeQuotes, type SimQuotes } from "./quotes";
import { commission, type SimShop } from "./store";
import { listOrders } from "./orders-list";
import { matchTrigger } from "./suspended";
import type { SimOrder, SimRequestRecord } from "./types";
import {
  FieldCollector,
  MESSAGES,
  PATTERNS,
  readAmount,
  readBool,
  readInstalments,
  readPattern,
  readString,
  readUrl,
  type RawBody,
} from "./validation";

export async function handleApi(ctx: SimContext, method: string, url: URL, record: SimRequestRecord, res: ServerResponse): Promise<void> {
  if (!url.pathname.startsWith("/api/shops/")) throw new SimHttpError(404, { error: "Not found" });
  const [shopId, resource, id, action, extra] = segments(url.pathname, "/api/shops/");
  if (!shopId || extra !== undefined) throw new SimHttpError(404, { error: "Not found" });
  const { store } = ctx;
  const body = record.body ?? {};

  if (resource === "orders" && id !== undefined && action === "match-trigger") {
    requireMethod(method, "POST");
    const shop = store.authenticate(shopId, record);
    matchTrigger(ctx, shop, id, body);
    return sendNoContent(res, record);
  }
  if (action !== undefined) throw new SimHttpError(404, { error: "Not found" });

  if (resource === undefined) {
    requireMethod(method, "GET");
    const shop = store.shops.get(shopId);
    if (!shop) throw new SimHttpError(404, { error: "Shop not found" });
    return send(res, record, 200, {
      active: shop.active,
      maxLoanInstalmentsNumber: shop.maxLoanInstalmentsNumber,
      zeroInterestRate: shop.zeroInterestRate,
    });
  }

  if (resource === "loan-quotes" && id === undefined) {
    requireMethod(method, "GET");
    const shop = store.shops.get(shopId);
    if (!shop) throw new SimHttpError(404, { error: "Shop not found" });
    return send(res, record, 200, quotesFromParams(shop, Object.fromEntries(url.searchParams)));
  }

  // Issue 16: the order list as CSV (orders-list.ts).
  if (resource === "orders" && id === undefined && method === "GET") return listOrders(store, shopId, url, record, res);

  if (resource === "orders" && id === undefined) {
    requireMethod(method, "POST");
    const shop = store.authenticate(shopId, record);
    if (!shop.active) throw new SimHttpError(400, { error: "The shop is not active" });
    const order = createOrder(ctx, shop, body, record.contentType?.includes("json") ? "json" : "form");
    return send(res, record, 201, { token: order.token, redirectUrl: store.webappUrl(shop.shopId, order.token) });
  }

  if (resource === "orders" && id !== undefined) {
    requireMethod(method, "GET");
    store.authenticate(shopId, record);
    const order = store.orders.get(id);
    if (!order) throw new SimHttpError(404, { error: "Order not found" });
    if (order.shopId !== shopId) throw new SimHttpError(403, { error: "This order belongs to another shop" });
    return send(res, record, 200, orderView(order));
  }

  if (resource === "requests" && id === undefined) {
    requireMethod(method, "POST");
    const shop = store.authenticate(shopId, record);
    return send(res, record, 201, createLoanRequest(ctx, shop, body));
  }

  if (resource === "requests" && id !== undefined) {
    requireMethod(method, "POST");
    const shop = store.authenticate(shopId, record);
    return send(res, record, 200, approveLoanRequest(ctx, shop, id, body));
  }

  throw new SimHttpError(404, { error: "Not found" });
}

export function quotesFromParams(shop: SimShop, params: RawBody): SimQuotes {
  const errs = new FieldCollector();
  const amount = readAmount(params, errs, true);
  const instalments = readInstalments(params, errs, shop.maxLoanInstalmentsNumber, true);
  const zero = readBool(params, "zeroInterestRate", errs) ?? false;
  if (zero && !shop.zeroInterestRate) errs.add("zeroInterestRate", "Zero interest rate is not enabled for this shop.");
  if (!errs.ok || amount === undefined || instalments === undefined) throw validationError(errs.errors);
  return computeQuotes(amount, instalments, zero);
}

function createOrder(ctx: SimContext, shop: SimShop, body: RawBody, bodyEncoding: "form" | "json"): SimOrder {
  const errs = new FieldCollector();
  const amount = readAmount(body, errs, false);
  const instalments = readInstalments(body, errs, shop.maxLoanInstalmentsNumber, false);
  const email = readString(body, "email", errs, { pattern: PATTERNS.email, message: MESSAGES.email });
  const firstname = readString(body, "firstname", errs);
  const lastname = readString(body, "lastname", errs);
  const mobilePhone = readPattern(body, "mobilePhone", errs);
  const countryCallingCode = readPattern(body, "countryCallingCode", errs);
  const fiscalCode = readPattern(body, "fiscalCode", errs);
  const vatId = readPattern(body, "vatId", errs);
  const vatCountry = readPattern(body, "vatCountry", errs);
  const city = readString(body, "city", errs);
  const province = readPattern(body, "province", errs);
  const address = readString(body, "address", errs);
  const civicNumber = readString(body, "civicNumber", errs, { max: 20 });
  const postalCode = readPattern(body, "postalCode", errs);
  const zeroInterestRate = readBool(body, "zeroInterestRate", errs) ?? false;
  const successUrl = readUrl(body, "successUrl", errs);
  const errorUrl = readUrl(body, "errorUrl", errs);
  const callbackUrl = readUrl(body, "callbackUrl", errs);
  const orderReference = readString(body, "orderReference", errs);
  if (zeroInterestRate && !shop.zeroInterestRate) {
    errs.add("zeroInterestRate", "Zero interest rate is not enabled for this shop.");
  }
  if (!errs.ok) throw validationError(errs.errors);
  const ts = now();
  const order: SimOrder = {
    token: randomBytes(16).toString("hex"),
    shopId: shop.shopId,
    status: "quote",
    amount: amount ?? null,
    netAmount: amount === undefined ? null : amount - commission(amount, zeroInterestRate),
    instalments: instalments ?? null,
    instalmentsLocked: instalments !== undefined,
    zeroInterestRate,
    orderReference: orderReference ?? null,
    email: email ?? null,
    firstname: firstname ?? null,
    lastname: lastname ?? null,
    mobilePhone: mobilePhone ?? null,
    countryCallingCode: countryCallingCode ?? "+39",
    fiscalCode: fiscalCode?.toUpperCase() ?? null,
    vatId: vatId ?? null,
    vatCountry: vatCountry ?? null,
    city: city ?? null,
    province: province ?? null,
    address: address ?? null,
    civicNumber: civicNumber ?? null,
    postalCode: postalCode ?? null,
    successUrl: successUrl ?? null,
    errorUrl: errorUrl ?? null,
    callbackUrl: callbackUrl ?? null,
    createdAt: ts,
    updatedAt: ts,
    loanSignedAt: null,
    loanVerifiedAt: null,
    loanDisbursedAt: null,
    bodyEncoding,
    suspended: shop.suspendedOrders,
    trigger: null,
  };
  ctx.store.orders.set(order.token, order);
  ctx.log.info(`order ${order.token} created for ${shop.shopId} (${order.amount ?? "no"} cents)`);
  return order;
}

export function orderView(order: SimOrder): Record<string, unknown> {
  return {
    token: order.token,
    orderReference: order.orderReference,
    status: order.status,
    loanAmount: order.amount,
    loanNetAmount: order.netAmount,
    instalmentsNumber: order.instalments,
    zeroInterestRate: order.zeroInterestRate,
    firstname: order.firstname,
    lastname: order.lastname,
    email: order.email,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    loanSignedAt: order.loanSignedAt,
    loanVerifiedAt: order.loanVerifiedAt,
    loanDisbursedAt: order.loanDisbursedAt,
    successUrl: order.successUrl,
    errorUrl: order.errorUrl,
    callbackUrl: order.callbackUrl,
  };
}
