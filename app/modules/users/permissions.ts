/**
 * Named permissions, granted by roles and checked on the server in every loader and action
 * (Part 11 §11.10(d), (g): access limited to authorised individuals; authority checks).
 */
export const PERMISSIONS = [
  "document.read",
  "change.read",
  "document.author",
  "document.review",
  "document.approve",
  // SOP-DC-001 "Withdraw obsolete documents": raise a withdrawal request (the document controller).
  "document.withdraw",
  "training.acknowledge",
  "training.read",
  "training.manage",
  "training.approve",
  "users.manage",
  "audit.read",
  "export.binder",
  // Controlled copies (SOP-DC-001): issue and close them (the document controller), read the register.
  "copies.issue",
  "copies.read",
  // KPIs (SOP-KP-001): read the dashboard and catalogue, import figures from trial systems, record
  // cause analyses, actions and CAPAs for red KPIs.
  "kpi.read",
  "kpi.import",
  "actions.manage",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = {
  administrator: {
    label: "Administrator",
    description: "Manages user accounts, roles and job functions. Cannot approve documents.",
    permissions: ["document.read", "training.acknowledge", "users.manage", "audit.read"],
  },
  "quality-manager": {
    label: "Quality manager",
    description:
      "Reviews and approves controlled documents and their withdrawal; issues and recalls controlled copies; reads training records and the audit trail; builds inspection binders.",
    permissions: [
      "document.read",
      "change.read",
      "training.acknowledge",
      "training.read",
      "training.approve",
      "document.review",
      "document.approve",
      "document.withdraw",
      "audit.read",
      "export.binder",
      "copies.issue",
      "copies.read",
      "kpi.read",
      "kpi.import",
      "actions.manage",
    ],
  },
  "document-controller": {
    label: "Document controller",
    description: "Issues numbered controlled copies, keeps the copy register and closes recalls; raises withdrawal requests (SOP-DC-001).",
    permissions: ["document.read", "change.read", "training.acknowledge", "document.withdraw", "copies.issue", "copies.read"],
  },
  author: {
    label: "Author",
    description: "Opens change requests and drafts documents.",
    permissions: ["document.read", "change.read", "training.acknowledge", "document.author"],
  },
  reviewer: {
    label: "Reviewer",
    description: "Reviews drafts named on change requests.",
    permissions: ["document.read", "change.read", "training.acknowledge", "document.review"],
  },
  "kpi-reporter": {
    label: "KPI reporter",
    description: "Imports KPI figures from trial systems (CTMS, EDC), records cause analyses and actions for red KPIs their function owns (SOP-KP-001).",
    permissions: ["document.read", "training.acknowledge", "kpi.read", "kpi.import", "actions.manage"],
  },
  "training-coordinator": {
    label: "Training coordinator",
    description: "Maintains the training matrix, follows up training and resets locked knowledge checks.",
    permissions: ["document.read", "training.acknowledge", "training.read", "training.manage"],
  },
  staff: {
    label: "Staff",
    description: "Reads and acknowledges the documents of their job functions.",
    permissions: ["document.read", "training.acknowledge"],
  },
  inspector: {
    label: "Inspector (read-only auditor)",
    description: "Reads everything, the audit trail included, and takes exports. Changes nothing.",
    permissions: ["document.read", "change.read", "training.read", "audit.read", "export.binder", "copies.read", "kpi.read"],
  },
} as const satisfies Record<string, { label: string; description: string; permissions: readonly Permission[] }>;

export type Role = keyof typeof ROLES;
export const ROLE_NAMES = Object.keys(ROLES) as Role[];

export function isRole(value: string): value is Role {
  return Object.hasOwn(ROLES, value);
}

export function permissionsOf(roles: readonly string[]): Set<Permission> {
  const granted = new Set<Permission>();
  for (const role of roles) {
    if (isRole(role)) for (const p of ROLES[role].permissions) granted.add(p);
  }
  return granted;
}

/**
 * Who may read unapproved text (drafts, change requests in review, rejected and withdrawn ones):
 * authors, reviewers, approvers and inspectors hold `change.read` (SOP-DC-001: drafts must not be
 * used to perform work, so staff who only read and train see approved versions only).
 */
export function readsDrafts(permissions: Iterable<Permission>): boolean {
  return new Set(permissions).has("change.read");
}
