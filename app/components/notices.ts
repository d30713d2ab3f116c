/**
 * Success notices a redirect asks for with `?notice=<key>`. Only these fixed texts can appear, so
 * a crafted link cannot make a Quire page say something Quire did not.
 */
export const NOTICES = {
  "password-changed": "Your password has been changed.",
  "user-saved": "The account's changes are saved and recorded in the audit trail.",
  "user-unchanged": "Nothing was changed, so nothing was saved.",
  "user-deactivated": "The account is deactivated: its sessions have ended and it can no longer sign in. Its records and user name are kept.",
  "user-reactivated": "The account is active again. The person can sign in with their existing password.",
  "user-unlocked": "The account is unlocked and its count of failed sign-ins is back to zero.",
  "draft-saved": "The draft is saved as a commit on the change request's branch.",
  "cr-submitted": "Submitted for review and signed as Authored. The named reviewers can now review it.",
  "cr-reviewed": "Signed as Reviewed on the current content.",
  "cr-approved": "Approved and signed. The new version is tagged and becomes effective on its effective date.",
  "cr-comment-resolved": "Comment resolved. Approval goes ahead once every comment is resolved.",
  "cr-function-approved": "Approval signed for your job function. The next approval on the route is now due.",
  "cr-rejected": "Rejected with your reason: the change request is back in Draft with its author.",
  "cr-withdrawn": "The change request is withdrawn. Its branch and records are kept.",
  "cr-commented": "Your comment is added.",
  "cr-reviewers": "The reviewers are changed and the change is recorded with your reason.",
  "periodic-review-signed": "Periodic review signed: no change needed. The review interval restarts from today.",
  "training-signed": "Signed: read and understood. The signature is in your training record.",
  "document-retired": "The document is retired with your signed reason. From the retirement date no version is in force.",
  "withdrawal-requested": "The withdrawal request is open. The owner function approves it, then a quality manager gives the final approval.",
  "withdrawal-approved": "Withdrawal approved for your job function. The next approval on the route is now due.",
  "withdrawal-rejected": "The withdrawal request is rejected with your reason and closed. The document stays in force.",
  "withdrawal-cancelled": "The withdrawal request is cancelled with your reason. The document stays in force.",
} as const;
export type NoticeKey = keyof typeof NOTICES;

export function noticeText(key: string | null): string | null {
  return key !== null && Object.hasOwn(NOTICES, key) ? NOTICES[key as NoticeKey] : null;
}

export function withNotice(path: string, key: NoticeKey): string {
  return `${path}${path.includes("?") ? "&" : "?"}notice=${key}`;
}
