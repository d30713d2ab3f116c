/**
 * Links and images may point only at web pages, mail addresses and paths within Quire: a
 * `javascript:` or `data:` URL in an approved SOP would run in every reader's session. Browsers
 * ignore whitespace and control characters inside a scheme, so those are removed before looking.
 */
export function isSafeUrl(url: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes or refuses
  const plain = url.replace(/[\u0000-\u0020\u007f]/g, "");
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(plain)?.[1]?.toLowerCase();
  return scheme === undefined || scheme === "http" || scheme === "https" || scheme === "mailto";
}
