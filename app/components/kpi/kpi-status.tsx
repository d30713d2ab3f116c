import { STATUS_LABELS, type KpiStatus } from "~/modules/kpi/kpi";

const STATUS_WORDS: Record<KpiStatus, string> = { green: "Green", amber: "Amber", red: "Red" };

/** A KPI's status in words as well as colour: "Red: act" (never colour alone). */
export function KpiStatusBadge({ status }: { status: KpiStatus | null }) {
  if (status === null) return <span className="badge kpi-badge-none">No data</span>;
  return (
    <span className={`badge kpi-badge-${status}`}>
      {STATUS_WORDS[status]}: {STATUS_LABELS[status].toLowerCase()}
    </span>
  );
}

const TREND_WORDS = { better: "↗ improving", worse: "↘ worsening", flat: "→ steady" } as const;

/** The 12-month trend in words, by the KPI's direction (better is up for one KPI, down for another). */
export function TrendWord({ trend }: { trend: "better" | "worse" | "flat" | null }) {
  if (trend === null) return null;
  return <span className={`kpi-trend kpi-trend-${trend}`}>{TREND_WORDS[trend]} over 12 months</span>;
}
