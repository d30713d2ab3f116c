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
}

export const DEMO_USERS: DemoUser[] = [
  { username: "admin", displayName: "Alex Morgan", roles: ["administrator"], jobFunctions: [] },
  { username: "qa", displayName: "Quinn Avery", roles: ["quality-manager"], jobFunctions: ["quality-manager"] },
  { username: "author", displayName: "Ayesha Rahman", roles: ["author"], jobFunctions: ["document-controller"] },
  { username: "reviewer", displayName: "Rafael Ortiz", roles: ["reviewer"], jobFunctions: ["qa-auditor"] },
  { username: "trainer", displayName: "Tessa Lund", roles: ["training-coordinator"], jobFunctions: ["training-coordinator"] },
  { username: "cra1", displayName: "Chloe Martin", roles: ["staff"], jobFunctions: ["cra"] },
  { username: "cra2", displayName: "Carlos Ruiz", roles: ["staff"], jobFunctions: ["cra"] },
  { username: "dm1", displayName: "Dana Kim", roles: ["staff"], jobFunctions: ["data-manager"] },
  { username: "cra3", displayName: "Nadia Osei", roles: ["staff"], jobFunctions: ["cra"], joinedWorkingDaysAgo: 25 },
  { username: "pm1", displayName: "Priya Nair", roles: ["staff"], jobFunctions: ["project-manager"], joinedWorkingDaysAgo: 6 },
  { username: "inspector", displayName: "Ingrid Shaw", roles: ["inspector"], jobFunctions: [] },
];
