import { describe, expect, it } from "vitest";
import { readFormBody } from "~/http/form-body.server";
import { routeId } from "~/http/route-id";

const post = (body: string, contentType?: string) => new Request("http://app.test/app/settings", { method: "POST", body, headers: contentType ? { "content-type": contentType } : {} });

describe("readFormBody (an admin form post read without throwing)", () => {
  it("reads a urlencoded or multipart form", async () => {
    expect(await readFormBody(post("intent=confirm_void&x=1", "application/x-www-form-urlencoded"))).toEqual({ ok: true, form: { intent: "confirm_void", x: "1" } });
    const multipart = '--b\r\nContent-Disposition: form-data; name="intent"\r\n\r\nsaveOptions\r\n--b--\r\n';
    expect(await readFormBody(post(multipart, "multipart/form-data; boundary=b"))).toEqual({ ok: true, form: { intent: "saveOptions" } });
  });

  it("another media type (or none) is 415: request.formData() would throw", async () => {
    for (const type of ["text/plain", "application/octet-stream", undefined, "application/x-www-form-urlencodedx"]) {
      await expect(post("intent=x", type).clone().formData()).rejects.toThrow();
      expect(await readFormBody(post("intent=x", type))).toEqual({ ok: false, status: 415 });
    }
  });

  it("another method than POST is 405 (the admin's forms post; Remix would run the action for PUT, PATCH or DELETE too)", async () => {
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      const request = new Request("http://app.test/app/settings", { method, body: "intent=saveOptions", headers: { "content-type": "application/x-www-form-urlencoded" } });
      expect(await readFormBody(request)).toEqual({ ok: false, status: 405 });
    }
  });

  it("a broken multipart body is 400", async () => {
    await expect(post("\u0003garbage", "multipart/form-data; boundary=xyz").formData()).rejects.toThrow();
    expect(await readFormBody(post("\u0003garbage", "multipart/form-data; boundary=xyz"))).toEqual({ ok: false, status: 400 });
  });
});

describe("NUL characters (PostgreSQL refuses them in text)", () => {
  it("a form key or value with a NUL is 400", async () => {
    expect(await readFormBody(post("intent=a%00b", "application/x-www-form-urlencoded"))).toEqual({ ok: false, status: 400 });
    expect(await readFormBody(post("a%00=b", "application/x-www-form-urlencoded"))).toEqual({ ok: false, status: 400 });
  });

  it("routeId: an id that cannot be looked up is null", () => {
    expect(routeId("pay_123")).toBe("pay_123");
    expect(routeId(undefined)).toBeNull();
    expect(routeId("")).toBeNull();
    expect(routeId("a\u0000")).toBeNull();
    expect(routeId("a".repeat(256))).toBeNull();
  });
});
