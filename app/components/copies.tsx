import { COPY_STATUS_LABELS, type CopyStatus } from "~/modules/copies/copies";

/** A copy's place in the register; "to recall" stands out (SOP-DC-001: retrieve or confirm destruction). */
export function CopyStatusBadge({ status }: { status: CopyStatus }) {
  return <span className={`badge badge-copy-${status}`}>{COPY_STATUS_LABELS[status]}</span>;
}
