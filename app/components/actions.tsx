import { SHOWN_STATUS_LABELS, type ShownStatus } from "~/modules/actions/actions";

/** An item's status as text with its colour: "Overdue" is written, never shown by colour alone (WCAG 1.4.1). */
export function ActionStatusBadge({ status }: { status: ShownStatus }) {
  return <span className={`badge badge-action-${status}`}>{SHOWN_STATUS_LABELS[status]}</span>;
}
