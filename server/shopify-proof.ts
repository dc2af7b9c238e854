/**
 * Shopify calls the payment, refund, capture and void session endpoints with a TLS client
 * certificate (mTLS). The server refuses those requests (403, before reading their body) unless
 * that certificate was verified, either
 *  (a) by the app's own TLS server, against SHOPIFY_MTLS_CA_FILE (`socket.authorized`), or
 *  (b) by a TLS terminator in front, which then sets SHOPIFY_MTLS_HEADER to the shared secret
 *      SHOPIFY_MTLS_HEADER_VALUE (compared in constant time).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import type { ShopifyProofConfig } from "./config";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

export type ProofVerdict = { ok: true; by: "client-certificate" | "header" | "off" } | { ok: false; reason: string };

export function createShopifyProofCheck(config: ShopifyProofConfig): (req: IncomingMessage) => ProofVerdict {
  const expected = config.header ? digest(config.header.value) : null;
  return (req) => {
    if (config.clientCa) {
      const socket = req.socket as TLSSocket;
      if (socket.encrypted && socket.authorized) {
        const cert = socket.getPeerCertificate();
        if (cert && Object.keys(cert).length > 0) return { ok: true, by: "client-certificate" };
      }
    }
    if (config.header && expected) {
      const given = req.headers[config.header.name];
      const value = Array.isArray(given) ? null : given;
      if (typeof value === "string" && timingSafeEqual(digest(value), expected)) return { ok: true, by: "header" };
    }
    if (!config.clientCa && !config.header) return { ok: true, by: "off" };
    return { ok: false, reason: config.clientCa ? "no verified Shopify client certificate" : "no proof header from the TLS terminator" };
  };
}
