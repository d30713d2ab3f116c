import type { TrainingState } from "~/modules/training/training";

export const TRAINING_STATE_LABELS: Record<TrainingState, string> = {
  due: "Due",
  overdue: "Overdue",
  completed: "Completed",
  superseded: "Superseded",
  cancelled: "Cancelled",
};

export function TrainingStateBadge({ state }: { state: TrainingState }) {
  return <span className={`badge badge-training-${state}`}>{TRAINING_STATE_LABELS[state]}</span>;
}
