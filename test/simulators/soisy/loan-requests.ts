/**
 * Soisy's step 2 (pre-approval inside the merchant's checkout): `POST .../requests` quotes a loan for a
 * fiscal code, `POST .../requests/{fiscalCode}` approves or refuses it against an open order (sandbox
 * rules in README.md) and sends the matching callback.
 */
import type { SimContext } from "./context";
import { fiscalCodeCheckCharOk, UNKNOWN_POSTAL_CODE } from "./fiscal-code";
import { SimHttpError, validationError } from "./http";
import { computeQuotes } from "./quotes";
import { SANDBOX_APPROVAL_LIMIT_CENTS, applyEvent, commission, type SimShop } from "./store";
import type { SimOrder } from "./types";
import {
  CITIZENSHIPS,
  FieldCollector,
  JOB_DESCRIPTIONS,
  MESSAGES,
  PATTERNS,
  readAmount,
  readBool,
  readEnum,
  readInstalments,
  readPattern,
  readString,
  type RawBody,
} from "./validation";

export function createLoanRequest(ctx: SimContext, shop: SimShop, body: RawBody): Record<string, unknown> {
  const errs = new FieldCollector();
  const amount = readAmount(body, errs, true);
  const instalments = readInstalments(body, errs, shop.maxLoanInstalmentsNumber, true);
  const privacy = readBool(body, "privacy", errs, { required: true });
  if (privacy === false) errs.add("privacy", "The privacy policy must be accepted.");
  readBool(body, "marketing", errs);
  const fiscalCode = readPattern(body, "fiscalCode", errs, true);
  if (fiscalCode && ctx.strictFiscalCodes && !errs.errors.fiscalCode && !fiscalCodeCheckCharOk(fiscalCode)) {
    errs.add("fiscalCode", "The fiscal code is not valid.");
  }
  const zeroInterestRate = readBool(body, "zeroInterestRate", errs) ?? false;
  if (zeroInterestRate && !shop.zeroInterestRate) {
    errs.add("zeroInterestRate", "Zero interest rate is not enabled for this shop.");
  }
  const job = readEnum(body, "jobDescription", JOB_DESCRIPTIONS, errs, { required: true });
  const ending = readString(body, "actualJobEndingDate", errs, { pattern: PATTERNS.monthYear, message: MESSAGES.monthYear });
  if (job === "employee_fixed_term_contract" && !ending && !errs.errors.actualJobEndingDate) {
    errs.add("actualJobEndingDate", "This value is required for fixed-term contracts.");
  }
  const vatId = readPattern(body, "vatId", errs);
  readPattern(body, "vatCountry", errs);
  if (job === "entrepreneur" && !vatId && !errs.errors.vatId) errs.add("vatId", "This value is required for entrepreneurs.");
  if (!errs.ok || amount === undefined || instalments === undefined || !fiscalCode || !job) {
    throw validationError(errs.errors);
  }
  const fc = fiscalCode.toUpperCase();
  const additionalDataNeeded = fc.startsWith("ADD");
  ctx.store.loanRequests.set(`${shop.shopId}:${fc}`, {
    shopId: shop.shopId,
    fiscalCode: fc,
    amount,
    instalments,
    jobDescription: job,
    zeroInterestRate,
    additionalDataNeeded,
    outcome: null,
    orderToken: null,
    body,
  });
  const quote = computeQuotes(amount, instalments, zeroInterestRate).median;
  return {
    apr: quote.apr,
    fiscalCode: fc,
    totalRepayment: quote.totalRepaid,
    instalmentAmount: quote.instalmentAmount,
    zeroInterestRate,
    additionalDataNeeded,
  };
}

export function approveLoanRequest(ctx: SimContext, shop: SimShop, rawFiscalCode: string, body: RawBody): Record<string, unknown> {
  const fc = rawFiscalCode.toUpperCase();
  const loanRequest = ctx.store.loanRequests.get(`${shop.shopId}:${fc}`);
  if (!loanRequest) throw new SimHttpError(404, { error: "Request not found for this fiscal code" });
  const errs = new FieldCollector();
  const amount = readAmount(body, errs, true);
  const instalments = readInstalments(body, errs, shop.maxLoanInstalmentsNumber, true);
  const finality = readString(body, "loanFinality", errs, { required: true });
  if (finality !== undefined && finality !== "ecommerce_shop") {
    errs.add("loanFinality", "The value you selected is not a valid choice.");
  }
  const orderToken = readString(body, "orderToken", errs, { required: true });
  const email = readString(body, "email", errs, { required: true, pattern: PATTERNS.email, message: MESSAGES.email });
  const firstname = readString(body, "firstname", errs, { required: true });
  const lastname = readString(body, "lastname", errs, { required: true });
  const mobilePhone = readPattern(body, "mobilePhone", errs, true);
  const countryCallingCode = readPattern(body, "countryCallingCode", errs);
  const city = readString(body, "city", errs, { required: true });
  const province = readPattern(body, "province", errs, true);
  const address = readString(body, "address", errs, { required: true });
  const civicKey = body.civicNumber === undefined && body.streetNumber !== undefined ? "streetNumber" : "civicNumber";
  const civicNumber = readString(body, civicKey, errs, { required: true, max: 20 });
  const postalCode = readPattern(body, "postalCode", errs, true);
  // A magic postal code Soisy refuses although it has the right shape (to exercise field errors).
  if (postalCode === UNKNOWN_POSTAL_CODE) errs.add("postalCode", "This postal code does not exist.");
  readEnum(body, "citizenship", CITIZENSHIPS, errs, { required: true });
  readBool(body, "zeroInterestRate", errs);
  if (loanRequest.additionalDataNeeded) {
    for (const field of ["residence", "residenceStartDate", "educationalQualification", "salaryType"]) {
      readString(body, field, errs, { required: true });
    }
    const children = body.children;
    if (children === undefined || children === "" || !/^[0-9]{1,2}$/.test(String(children))) {
      errs.add("children", "This value should be an integer.");
    }
  }
  let order: SimOrder | undefined;
  if (orderToken !== undefined) {
    order = ctx.store.orders.get(orderToken);
    if (!order || order.shopId !== shop.shopId) errs.add("orderToken", "Order not found.");
    else if (order.status !== "quote") errs.add("orderToken", `The order is not awaiting a request (status ${order.status}).`);
    else if (order.amount !== null && amount !== undefined && order.amount !== amount) {
      errs.add("amount", "The amount does not match the order.");
    }
  }
  if (!errs.ok || !order || amount === undefined || instalments === undefined) throw validationError(errs.errors);

  order.amount = amount;
  order.netAmount = amount - commission(amount, order.zeroInterestRate);
  order.instalments = instalments;
  order.instalmentsLocked = true;
  order.email = email ?? order.email;
  order.firstname = firstname ?? order.firstname;
  order.lastname = lastname ?? order.lastname;
  order.mobilePhone = mobilePhone ?? order.mobilePhone;
  order.countryCallingCode = countryCallingCode ?? order.countryCallingCode;
  order.city = city ?? order.city;
  order.province = province ?? order.province;
  order.address = address ?? order.address;
  order.civicNumber = civicNumber ?? order.civicNumber;
  order.postalCode = postalCode ?? order.postalCode;
  order.fiscalCode = fc;
  loanRequest.orderToken = order.token;

  const refused = fc.startsWith("RFS") || amount > SANDBOX_APPROVAL_LIMIT_CENTS;
  if (refused) {
    loanRequest.outcome = "rejected";
    applyEvent(order, "UserWasRejected");
    void ctx.callbacks.send(order, ["UserWasRejected"]);
    const answer: Record<string, unknown> = { approved: false, status: "rejected" };
    if (order.errorUrl) answer.redirectUrl = order.errorUrl;
    return answer;
  }
  loanRequest.outcome = "approved";
  applyEvent(order, "LoanWasApproved");
  void ctx.callbacks.send(order, ["LoanWasApproved"]);
  return { approved: true, status: "approved", redirectUrl: ctx.store.webappUrl(shop.shopId, order.token) };
}
