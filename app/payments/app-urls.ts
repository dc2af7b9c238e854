/** The app's own URLs for one payment session (given to Soisy and to the shopper). */
function base(appUrl: string): string {
  return appUrl.replace(/\/+$/, "");
}
const seg = encodeURIComponent;

export function paymentUrls(appUrl: string, sessionId: string, secret: string) {
  const root = base(appUrl);
  const id = seg(sessionId);
  return {
    success: `${root}/payments/return/${id}/${secret}/success`,
    error: `${root}/payments/return/${id}/${secret}/error`,
    callback: `${root}/soisy/callback/${id}/${secret}`,
    status: `${root}/payments/status/${id}/${secret}`,
    notEligible: `${root}/payments/not-eligible/${id}/${secret}`,
    /** Level 2: the in-store pre-approval form. */
    preapproval: `${root}/payments/preapproval/${id}/${secret}`,
  };
}
