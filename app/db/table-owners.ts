// Which module owns each table (docs/architecture.md, "Who owns which table"). The owner is the one
// folder under app/modules/ whose *.server.ts files name the table in SQL; every other module reads
// and writes it by calling the owner's functions. test/unit/table-ownership.test.ts scans the
// modules' SQL (FROM, JOIN, INTO, UPDATE) against this map and fails on any access not listed in
// FOREIGN_ACCESS below. Nothing in the app imports this file: it is the map, kept next to the
// migrations that create the tables.

export const TABLE_OWNERS = {
  // content: the MDX renderer's cache of compiled bodies
  mdx_cache: "content",
  // documents: controlled documents, their versions, retirements and periodic reviews, search text
  documents: "documents",
  document_versions: "documents",
  retirements: "documents",
  periodic_reviews: "documents",
  document_text: "documents",
  // change control: change requests and what hangs on them
  change_requests: "change-control",
  change_request_reviewers: "change-control",
  change_request_comments: "change-control",
  comment_resolutions: "change-control",
  approval_intents: "change-control",
  // signatures: the one signature service (Part 11 §11.50, §11.70)
  signatures: "signatures",
  function_approvals: "signatures",
  signature_meanings: "signatures",
  // users: accounts, roles, who holds which job function, sessions
  users: "users",
  password_history: "users",
  user_roles: "users",
  user_job_functions: "users",
  sessions: "users",
  // audit: the one audit writer and its checkpoints
  audit_events: "audit",
  audit_checkpoints: "audit",
  audit_filter_values: "audit",
  // settings: one key-value table, one typed pair of functions per key
  settings: "settings",
  // integrity: what Quire wrote to the content repository, foreign refs
  content_writes: "integrity",
  foreign_refs: "integrity",
  // training: the training matrix (job functions are its rows) and every training record
  job_functions: "training",
  training_assignments: "training",
  training_notices: "training",
  quiz_attempts: "training",
  quiz_resets: "training",
  training_sessions: "training",
  training_session_attendees: "training",
  competence_signoffs: "training",
  training_courses: "training",
  curriculum_changes: "training",
  training_exemptions: "training",
  training_reminders: "training",
  version_training_decisions: "training",
  training_standings: "training",
  training_cells: "training",
  // copies: controlled copies and their register
  copy_issues: "copies",
  controlled_copies: "copies",
  copy_recalls: "copies",
  // kpi: imported KPI values
  kpi_imports: "kpi",
  kpi_values: "kpi",
  // actions: the register of actions and CAPAs, red-KPI analyses
  actions: "actions",
  action_change_requests: "actions",
  kpi_analyses: "actions",
  kpi_analysis_actions: "actions",
  // notifications: the one outbox
  notifications: "notifications",
} as const satisfies Record<string, string>;

export type OwnedTable = keyof typeof TABLE_OWNERS;

/**
 * SQL in one file that names other modules' tables, allowed for the reason given. `file` is relative
 * to app/modules/. Each listed table must still occur in its file (a stale entry fails the test too),
 * so the list only shrinks as these reads move behind their owner's functions.
 */
export interface ForeignAccess {
  file: string;
  tables: readonly OwnedTable[];
  reason: string;
}

const NAMES_IN_LIST = "a list page joins the names of the people on each row in its one SELECT; a users call per row would be N+1";
const DEMO = "the demo builder (`quire init --demo`, once) looks up the people and versions it has just seeded, in bulk";
const TO_MOVE = "a single-row check not yet moved behind the owner's function (issue 10 follow-up)";

export const FOREIGN_ACCESS: readonly ForeignAccess[] = [
  // Joins kept for performance: the view is one statement on a page that lists many rows.
  { file: "actions/actions.server.ts", tables: ["users"], reason: NAMES_IN_LIST },
  { file: "actions/kpi-analysis.server.ts", tables: ["users"], reason: NAMES_IN_LIST },
  { file: "training/courses.server.ts", tables: ["users"], reason: NAMES_IN_LIST },
  { file: "training/exemptions.server.ts", tables: ["users"], reason: NAMES_IN_LIST },
  {
    file: "training/assignments.server.ts",
    tables: ["document_versions"],
    reason: "every assignment list (my training, the matrix, reminders) joins the version's title in its one SELECT",
  },
  {
    file: "training/reports.server.ts",
    tables: ["users", "user_job_functions", "signatures", "document_versions"],
    reason: "training's reports (matrix, transcripts, overdue lists) join people, their job functions, acknowledgements and versions in one statement per page",
  },
  {
    file: "copies/register.server.ts",
    tables: ["signatures"],
    reason: "the copy register lists every copy with its issue and recall signers in one statement (register page, binder)",
  },
  {
    file: "audit/audit.server.ts",
    tables: ["change_requests", "training_assignments", "controlled_copies"],
    reason: "the audit page's filter by document pages the events about its change requests, assignments and copies in one statement (subqueries)",
  },
  // Whole-record exports and checks: they read the raw rows on purpose.
  {
    file: "binder/binder-data.server.ts",
    tables: ["signatures", "signature_meanings", "audit_events"],
    reason: "the inspection binder exports the record as of a day in bulk: the signature manifest and the whole trail streamed in batches",
  },
  {
    file: "integrity/verify.server.ts",
    tables: ["audit_events"],
    reason: "`quire verify` compares each signature record with its audit row by reading both raw, apart from the modules it checks",
  },
  {
    file: "integrity/foreign-refs.server.ts",
    tables: ["document_versions"],
    reason: "the foreign-ref check compares every recorded version tag with git at start (Annex 11 §7)",
  },
  {
    file: "integrity/content-writes.server.ts",
    tables: ["document_versions"],
    reason: "adopting an older data folder's writes reads every version's commit once, at start",
  },
  {
    file: "kpi/computed.server.ts",
    tables: ["training_assignments", "document_versions", "audit_events"],
    reason: "computed KPIs aggregate a period's rows (counts, on-time share, cycle times) in one GROUP BY each; to move into the owners as aggregate functions",
  },
  // Not moved yet.
  { file: "copies/verify-copy.server.ts", tables: ["audit_events"], reason: TO_MOVE },
  { file: "training/sessions.server.ts", tables: ["users", "user_job_functions", "document_versions"], reason: `${TO_MOVE}; its lists join names` },
  { file: "training/approval-training.server.ts", tables: ["users"], reason: TO_MOVE },
  { file: "setup/demo-history.server.ts", tables: ["document_versions", "users"], reason: DEMO },
  { file: "setup/demo-kpis.server.ts", tables: ["users"], reason: DEMO },
  { file: "setup/demo-training.server.ts", tables: ["training_assignments", "training_notices", "users", "document_versions"], reason: DEMO },
];
