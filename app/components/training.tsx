import { NavLink } from "@remix-run/react";

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

/** The training section's own menu, for those who read training records. */
export function TrainingNav() {
  return (
    <nav className="sub-nav" aria-label="Training">
      <NavLink to="/training/matrix">Matrix</NavLink>
      <NavLink to="/training/people" end>
        People
      </NavLink>
      <NavLink to="/training/curriculum">Curricula</NavLink>
      <NavLink to="/training/as-of">Trained as of a date</NavLink>
    </nav>
  );
}
