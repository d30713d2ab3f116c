const LABELS: Record<string, string> = {
  effective: "Effective",
  superseded: "Superseded",
  approved: "Approved, not yet effective",
  pending: "Not yet effective",
  retired: "Retired",
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{LABELS[status] ?? status}</span>;
}
