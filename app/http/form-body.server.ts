/**
 * The body of an admin form post, read without throwing. `request.formData()` throws a TypeError —
 * which Remix answers 500 — when the Content-Type is not a form type or a multipart body is broken:
 * a stale tab, a crafted request or a script can send either. Here that is a clear 4xx for the route
 * to return before it reads or writes anything: 405 for another method than POST (the admin's forms
 * post; Remix would otherwise run an action for PUT, PATCH or DELETE too), 415 for another media type,
 * 400 for a broken body or one with a NUL character (no admin field has one, and PostgreSQL cannot
 * store or compare it).
 */
const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

export type FormBody = { ok: true; form: Record<string, FormDataEntryValue> } | { ok: false; status: 400 | 405 | 415 };

export async function readFormBody(request: Request): Promise<FormBody> {
  if (request.method !== "POST") return { ok: false, status: 405 };
  if (!FORM_TYPES.test(request.headers.get("content-type") ?? "")) return { ok: false, status: 415 };
  try {
    const form = Object.fromEntries(await request.formData());
    const nul = Object.entries(form).some(([key, value]) => key.includes("\u0000") || (typeof value === "string" && value.includes("\u0000")));
    return nul ? { ok: false, status: 400 } : { ok: true, form };
  } catch {
    return { ok: false, status: 400 };
  }
}
