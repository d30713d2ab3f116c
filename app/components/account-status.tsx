import { ACCOUNT_STATUS_LABELS, type AccountStatus } from "~/modules/users/users";

/** An account's statuses as badges: Active, or what stops the person signing in or working. */
export function AccountStatusBadges({ statuses }: { statuses: readonly AccountStatus[] }) {
  return (
    <span className="badges">
      {statuses.map((s) => (
        <span key={s} className={`badge badge-account-${s}`}>
          {ACCOUNT_STATUS_LABELS[s]}
        </span>
      ))}
    </span>
  );
}
