/**
 * Cross-site request forgery check for state-changing requests (POST, PUT, PATCH, DELETE): the
 * browser's Origin header (or, failing that, Referer) must name this very host. Together with
 * SameSite=Lax session cookies this refuses a form posted from another site.
 */
export function isSameOrigin(headers: { origin?: string | null; referer?: string | null; host?: string | null }): boolean {
  const host = headers.host?.toLowerCase();
  if (!host) return false;
  const source = headers.origin && headers.origin !== "null" ? headers.origin : headers.referer;
  if (!source) return false;
  try {
    return new URL(source).host.toLowerCase() === host;
  } catch {
    return false;
  }
}

export const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
