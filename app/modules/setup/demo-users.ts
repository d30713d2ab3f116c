import type { Role } from "~/modules/users/permissions";

/** The demo's password for every demo user (README; demo data folders only). */
export const DEMO_PASSWORD = "quire-demo-2026";

export interface DemoUser {
  username: string;
  displayName: string;
  roles: Role[];
  jobFunctions: string[];
  /** A recent starter: joined this many working days before init (others joined at go-live). */
  joinedWorkingDaysAgo?: number;
  /** The user name of their line manager (SOP-TR-001: overdue training is escalated to them). */
  manager?: string;
}

export const DEMO_USERS: DemoUser[] = [
  { username: "admin", displayName: "Alex Morgan", roles: ["administrator"], jobFunctions: [] },
  { username: "qa", displayName: "Quinn Avery", roles: ["quality-manager"], jobFunctions: ["quality-manager"], manager: "exec" },
  { username: "author", displayName: "Ayesha Rahman", roles: ["author"], jobFunctions: ["document-controller"], manager: "qa" },
  // A second quality manager who reviews (SOP-DC-001: reviewers include a quality manager; the one who
  // reviewed does not give the final approval), without approval rights in the demo.
  { username: "reviewer", displayName: "Rafael Ortiz", roles: ["reviewer"], jobFunctions: ["qa-auditor", "quality-manager"], manager: "qa" },
  {
    username: "trainer",
    displayName: "Tessa Lund",
    roles: ["training-coordinator", "reviewer", "kpi-reporter"],
    jobFunctions: ["training-coordinator"],
    manager: "qa",
  },
  { username: "cra1", displayName: "Chloe Martin", roles: ["staff"], jobFunctions: ["cra"], manager: "qa" },
  // Function leads sign their function's approval of its documents (SOP-DC-001, "Approve the document").
  { username: "cra2", displayName: "Carlos Ruiz", roles: ["staff", "reviewer"], jobFunctions: ["cra"], manager: "qa" },
  { username: "dm1", displayName: "Dana Kim", roles: ["staff", "reviewer", "kpi-reporter"], jobFunctions: ["data-manager"], manager: "qa" },
  { username: "cra3", displayName: "Nadia Osei", roles: ["staff"], jobFunctions: ["cra"], joinedWorkingDaysAgo: 25, manager: "qa" },
  { username: "pm1", displayName: "Priya Nair", roles: ["staff"], jobFunctions: ["project-manager"], joinedWorkingDaysAgo: 6, manager: "qa" },
  { username: "inspector", displayName: "Ingrid Shaw", roles: ["inspector"], jobFunctions: [] },
  // Executive management: where training 30 days overdue is escalated (SOP-TR-001).
  { username: "exec", displayName: "Elena Vance", roles: ["staff", "reviewer"], jobFunctions: ["executive-management"] },
  // The document controller: issues controlled copies and signs the owner approval of document control's own documents.
  {
    username: "dc",
    displayName: "Daniel Cho",
    roles: ["document-controller", "reviewer", "kpi-reporter"],
    jobFunctions: ["document-controller"],
    manager: "qa",
  },
];
