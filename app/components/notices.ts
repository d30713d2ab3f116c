/**
 * Success notices a redirect asks for with `?notice=<key>`. Only these fixed texts can appear, so
 * a crafted link cannot make a Quire page say something Quire did not.
 */
export const NOTICES = {
  "password-changed": "Your password has been changed.",
  "user-saved": "The account's changes are saved and recorded in the audit trail.",
  "user-unchanged": "Nothing was changed, so nothing was saved.",
  "user-deactivated":
    "The account is deactivated: its sessions have ended and it can no longer sign in. Its records and user name are kept.",
  "user-reactivated": "The account is active again. The person can sign in with their existing password.",
  "user-unlocked": "The account is unlocked and its count of failed sign-ins is back to zero.",
} as const;
export type NoticeKey = keyof typeof NOTICES;

export function noticeText(key: string | null): string | null {
  return key !== null && Object.hasOwn(NOTICES, key) ? NOTICES[key as NoticeKey] : null;
}

export function withNotice(path: string, key: NoticeKey): string {
  return `${path}${path.includes("?") ? "&" : "?"}notice=${key}`;
}
