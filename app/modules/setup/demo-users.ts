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
  { username: "reviewer", displayName: "Rafael Ortiz", roles: ["reviewer"], jobFunctions: ["qa-auditor"], manager: "qa" },
  { username: "trainer", displayName: "Tessa Lund", roles: ["training-coordinator"], jobFunctions: ["training-coordinator"], manager: "qa" },
  { username: "cra1", displayName: "Chloe Martin", roles: ["staff"], jobFunctions: ["cra"], manager: "qa" },
  { username: "cra2", displayName: "Carlos Ruiz", roles: ["staff"], jobFunctions: ["cra"], manager: "qa" },
  { username: "dm1", displayName: "Dana Kim", roles: ["staff"], jobFunctions: ["data-manager"], manager: "qa" },
  { username: "cra3", displayName: "Nadia Osei", roles: ["staff"], jobFunctions: ["cra"], joinedWorkingDaysAgo: 25, manager: "qa" },
  { username: "pm1", displayName: "Priya Nair", roles: ["staff"], jobFunctions: ["project-manager"], joinedWorkingDaysAgo: 6, manager: "qa" },
  { username: "inspector", displayName: "Ingrid Shaw", roles: ["inspector"], jobFunctions: [] },
  // Executive management: where training 30 days overdue is escalated (SOP-TR-001).
  { username: "exec", displayName: "Elena Vance", roles: ["staff"], jobFunctions: ["executive-management"] },
];
