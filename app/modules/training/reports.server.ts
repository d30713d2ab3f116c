// Training read models for coordinators, quality managers and inspectors (inspection questions
// 10, 11 and 13): the matrix of job functions and documents, the people and whether they are
// qualified, one version's trainees, and one person's transcript. Aggregated in SQL, so a matrix of
// thousands of people stays one query.

import type { Queryable } from "~/db/db.server";
import { compareVersions, effectiveOn, type DocumentVersion } from "~/modules/documents/documents";
import { allRetirementDates } from "~/modules/documents/retirement-dates.server";
import { allVersions } from "~/modules/documents/versions.server";
import { loadJobFunctions } from "~/modules/training/job-functions.server";
import type { Quire } from "~/quire";

import { courseStanding } from "./courses";
import { courseCompletions, curriculumCourses } from "./courses.server";
import { curriculumVersions } from "./curriculum.server";
import { approvedCompetence } from "./sessions.server";
import {
  CAUSE_LABELS,
  PRACTICAL_SIGNOFF_FUNCTIONS,
  daysOverdue,
  trainedAsOf,
  trainingBaseline,
  trainingState,
  type AssignmentCause,
  type AssignmentStatus,
  type TrainingState,
} from "./training";
import { workingDaysBetween } from "./working-days";

// Each person's standing on each document (their newest open or completed assignment) is kept by
// the triggers of migration 017 in training_standings, and the matrix's counts in training_cells.

export interface MatrixCell {
  people: number;
  current: number;
  due: number;
  overdue: number;
  /** People holding the function with no assignment on the document (e.g. recorded before Quire assigned training). */
  unassigned: number;
}

export interface TrainingMatrix {
  on: string;
  functions: { id: string; name: string; people: number }[];
  documents: { docId: string; version: string; title: string; audience: string[] }[];
  /** cells[functionId][docId], only where the function is in the document's audience. */
  cells: Record<string, Record<string, MatrixCell>>;
  totals: { current: number; due: number; overdue: number; unassigned: number };
}

/** The curriculum as it stands today (inspection question 13), with each cell's training standing. */
export async function trainingMatrix(q: Quire, today: string): Promise<TrainingMatrix> {
  const [functions, versions, people, standing] = await Promise.all([
    loadJobFunctions(q.db),
    curriculumVersions(q.db, today),
    q.db.all<{ fn: string; n: number }>(
      "SELECT j.job_function_id AS fn, count(*) AS n FROM user_job_functions j JOIN users u ON u.id = j.user_id AND u.active = 1 GROUP BY 1",
    ),
    q.db.all<{ fn: string; doc_id: string; current: number; due: number; overdue: number }>(
      // Counts the triggers of migration 017 keep per job function, document, status and due date.
      `SELECT job_function AS fn, doc_id,
              coalesce(sum(CASE WHEN status = 'completed' THEN n END), 0) AS current,
              coalesce(sum(CASE WHEN status = 'open' AND due_on >= ? THEN n END), 0) AS due,
              coalesce(sum(CASE WHEN status = 'open' AND due_on < ? THEN n END), 0) AS overdue
         FROM training_cells WHERE n > 0 GROUP BY 1, 2`,
      [today, today],
    ),
  ]);
  const headcount = new Map(people.map((p) => [p.fn, p.n]));
  const byCell = new Map(standing.map((s) => [`${s.fn}\u0000${s.doc_id}`, s]));
  const cells: TrainingMatrix["cells"] = {};
  const totals = { current: 0, due: 0, overdue: 0, unassigned: 0 };
  for (const f of functions) {
    cells[f.id] = {};
    for (const v of versions) {
      if (!v.frontmatter.audience.includes(f.id)) continue;
      const s = byCell.get(`${f.id}\u0000${v.docId}`);
      const n = headcount.get(f.id) ?? 0;
      const cell = { people: n, current: s?.current ?? 0, due: s?.due ?? 0, overdue: s?.overdue ?? 0, unassigned: 0 };
      cell.unassigned = Math.max(0, n - cell.current - cell.due - cell.overdue);
      cells[f.id]![v.docId] = cell;
      totals.current += cell.current;
      totals.due += cell.due;
      totals.overdue += cell.overdue;
      totals.unassigned += cell.unassigned;
    }
  }
  return {
    on: today,
    functions: functions.map((f) => ({ id: f.id, name: f.name, people: headcount.get(f.id) ?? 0 })),
    documents: versions
      .map((v) => ({ docId: v.docId, version: v.version, title: v.title, audience: v.frontmatter.audience }))
      .sort((a, b) => a.docId.localeCompare(b.docId)),
    cells,
    totals,
  };
}

export interface PersonStanding {
  userId: string;
  username: string;
  displayName: string;
  jobFunctions: string[];
  managerUsername: string | null;
  due: number;
  overdue: number;
  current: number;
  maxDaysOverdue: number;
  /** The job functions whose whole curriculum the person has completed (SOP-TR-001 "Qualified"). */
  qualifiedFor: string[];
}

export interface PeopleFilter {
  fn?: string;
  status?: "overdue" | "due" | "all";
  manager?: string;
}

export const PEOPLE_PAGE_SIZE = 100;

export interface PeoplePage {
  /** How many people match the filter (every page together). */
  total: number;
  page: number;
  pageSize: number;
  people: PersonStanding[];
}

/**
 * Active people with a job function and where their training stands, one page at a time: the most
 * overdue first when asking who is overdue, otherwise by username. Who matches, and the order, come
 * from the open standings alone (an index range: open training is a few percent of all training);
 * completed counts and qualification are worked out only for the page shown, so the answer stays
 * fast with thousands of people (issue 11: 5,000 people x 300 documents).
 */
export async function trainingPeople(
  q: Quire,
  today: string,
  filter: PeopleFilter = {},
  paging: { page: number; pageSize: number } = { page: 1, pageSize: PEOPLE_PAGE_SIZE },
): Promise<PeoplePage> {
  const [users, functions, open] = await Promise.all([
    q.db.all<{ id: string; username: string; display_name: string; manager: string | null }>(
      "SELECT u.id, u.username, u.display_name, m.username AS manager FROM users u LEFT JOIN users m ON m.id = u.manager_id WHERE u.active = 1 ORDER BY u.username",
    ),
    q.db.all<{ user_id: string; fn: string }>("SELECT user_id, job_function_id AS fn FROM user_job_functions ORDER BY job_function_id"),
    q.db.all<{ user_id: string; due: number; overdue: number; oldest_overdue: string | null }>(
      `SELECT user_id, count(CASE WHEN due_on >= ? THEN 1 END) AS due, count(CASE WHEN due_on < ? THEN 1 END) AS overdue,
              min(CASE WHEN due_on < ? THEN due_on END) AS oldest_overdue
         FROM training_standings WHERE status = 'open' GROUP BY user_id`,
      [today, today, today],
    ),
  ]);
  const fnsOf = new Map<string, string[]>();
  for (const f of functions) fnsOf.set(f.user_id, [...(fnsOf.get(f.user_id) ?? []), f.fn]);
  const openOf = new Map(open.map((o) => [o.user_id, o]));
  const matching = users
    .map((u) => {
      const o = openOf.get(u.id);
      return {
        userId: u.id,
        username: u.username,
        displayName: u.display_name,
        jobFunctions: fnsOf.get(u.id) ?? [],
        managerUsername: u.manager,
        due: o?.due ?? 0,
        overdue: o?.overdue ?? 0,
        maxDaysOverdue: o?.oldest_overdue ? daysOverdue({ status: "open", dueOn: o.oldest_overdue }, today) : 0,
      };
    })
    .filter(
      (p) =>
        p.jobFunctions.length > 0 &&
        (!filter.fn || p.jobFunctions.includes(filter.fn)) &&
        (!filter.manager || p.managerUsername === filter.manager) &&
        (filter.status === "overdue" ? p.overdue > 0 : filter.status === "due" ? p.due + p.overdue > 0 : true),
    );
  if (filter.status === "overdue") matching.sort((a, b) => b.maxDaysOverdue - a.maxDaysOverdue || a.username.localeCompare(b.username));
  const first = (Math.max(1, paging.page) - 1) * paging.pageSize;
  const shown = matching.slice(first, first + paging.pageSize);
  const completion = await completionOf(
    q,
    today,
    shown.map((p) => p.userId),
  );
  return {
    total: matching.length,
    page: Math.max(1, paging.page),
    pageSize: paging.pageSize,
    people: shown.map((p) => ({
      ...p,
      current: completion.current.get(p.userId) ?? 0,
      // Qualified: every curriculum document and course complete, and the practical sign-off where SOP-TR-001 asks for one.
      qualifiedFor: p.jobFunctions.filter((fn) => completion.qualified(p.userId, fn)),
    })),
  };
}

/** Completed training and qualification of a few people (a page of the people list). */
async function completionOf(q: Quire, today: string, userIds: readonly string[]) {
  const versions = await curriculumVersions(q.db, today);
  const curriculum = versions.flatMap((v) => v.frontmatter.audience.map((fn) => [fn, v.docId] as const));
  const curriculumSize = new Map<string, number>();
  for (const [fn] of curriculum) curriculumSize.set(fn, (curriculumSize.get(fn) ?? 0) + 1);
  const ids = JSON.stringify(userIds);
  const [current, completedOfCurriculum, signedOff, courses, courseDone] = await Promise.all([
    q.db.all<{ user_id: string; n: number }>(
      // `+s.status` keeps SQLite on the primary key (user_id first): the status index would read every completed row.
      "SELECT s.user_id, count(*) AS n FROM json_each(?) u CROSS JOIN training_standings s WHERE s.user_id = u.value AND +s.status = 'completed' GROUP BY 1",
      [ids],
    ),
    // Person by person (CROSS JOIN keeps that order): each of their functions' curriculum documents,
    // looked up by primary key in their standings.
    q.db.all<{ user_id: string; fn: string; n: number }>(
      `WITH c(fn, doc_id) AS MATERIALIZED (SELECT value ->> 0, value ->> 1 FROM json_each(?))
       SELECT j.user_id, j.job_function_id AS fn, count(*) AS n
         FROM json_each(?) u CROSS JOIN user_job_functions j CROSS JOIN c CROSS JOIN training_standings s
        WHERE j.user_id = u.value AND c.fn = j.job_function_id AND s.user_id = j.user_id AND s.doc_id = c.doc_id AND +s.status = 'completed'
        GROUP BY 1, 2`,
      [JSON.stringify(curriculum), ids],
    ),
    approvedCompetence(q.db),
    curriculumCourses(q.db),
    courseCompletions(q.db),
  ]);
  const completed = new Map(completedOfCurriculum.map((c) => [`${c.user_id}\u0000${c.fn}`, c.n]));
  return {
    current: new Map(current.map((c) => [c.user_id, c.n])),
    qualified: (userId: string, fn: string) =>
      (completed.get(`${userId}\u0000${fn}`) ?? 0) === (curriculumSize.get(fn) ?? 0) &&
      (courses.get(fn) ?? []).every((c) => courseStanding(courseDone.get(userId)?.get(c.id) ?? null, c.refreshMonths, today).standing === "current") &&
      (!PRACTICAL_SIGNOFF_FUNCTIONS.includes(fn) || (signedOff.get(userId)?.has(fn) ?? false)),
  };
}

export interface VersionTrainee {
  assignmentId: number;
  username: string;
  displayName: string;
  active: boolean;
  status: AssignmentStatus;
  state: TrainingState;
  cause: AssignmentCause;
  causeLabel: string;
  assignedAt: string;
  dueOn: string;
  signedAt: string | null;
  signatureId: number | null;
  /** Working days from assignment to signature (inspection question 12: how long they took). */
  workingDaysToSign: number | null;
  daysOverdue: number;
  quizScore: number | null;
}

export interface VersionTraining {
  docId: string;
  version: string;
  title: string;
  effectiveFrom: string;
  trainees: VersionTrainee[];
  counts: { mustTrain: number; trained: number; due: number; overdue: number; onTime: number };
  /** Median working days from assignment to signature, over those who signed. */
  medianWorkingDays: number | null;
  notified: { username: string; at: string }[];
}

/** Inspection question 11 (and 12): for one version, who must be trained, who is, who is overdue, how long they took. */
export async function versionTraining(q: Quire, docId: string, version: string, today: string): Promise<VersionTraining | null> {
  const v = await q.db.get<{ title: string; effective_from: string }>("SELECT title, effective_from FROM document_versions WHERE doc_id = ? AND version = ?", [
    docId,
    version,
  ]);
  if (!v) return null;
  const rows = await q.db.all<{
    id: number;
    username: string;
    display_name: string;
    active: number;
    status: AssignmentStatus;
    cause: AssignmentCause;
    assigned_at: string;
    due_on: string;
    signed_at: string | null;
    signature_id: number | null;
    quiz_score: number | null;
  }>(
    `SELECT a.id, u.username, u.display_name, u.active, a.status, a.cause, a.assigned_at, a.due_on, s.signed_at, a.signature_id,
            (SELECT max(score) FROM quiz_attempts qa WHERE qa.assignment_id = a.id AND qa.passed = 1) AS quiz_score
       FROM training_assignments a JOIN users u ON u.id = a.user_id LEFT JOIN signatures s ON s.id = a.signature_id
      WHERE a.doc_id = ? AND a.version = ? ORDER BY u.username, a.id`,
    [docId, version],
  );
  const trainees = rows.map((r): VersionTrainee => ({
    assignmentId: r.id,
    username: r.username,
    displayName: r.display_name,
    active: r.active === 1,
    status: r.status,
    state: trainingState({ status: r.status, dueOn: r.due_on }, today),
    cause: r.cause,
    causeLabel: CAUSE_LABELS[r.cause],
    assignedAt: r.assigned_at,
    dueOn: r.due_on,
    signedAt: r.signed_at,
    signatureId: r.signature_id,
    workingDaysToSign: r.signed_at ? Math.max(0, workingDaysBetween(r.assigned_at.slice(0, 10), r.signed_at.slice(0, 10))) : null,
    daysOverdue: daysOverdue({ status: r.status, dueOn: r.due_on }, today),
    quizScore: r.quiz_score,
  }));
  const live = trainees.filter((t) => t.status === "open" || t.status === "completed");
  const signed = trainees.filter((t) => t.workingDaysToSign !== null).map((t) => t.workingDaysToSign!);
  const notified = await q.db.all<{ username: string; created_at: string }>(
    "SELECT u.username, n.created_at FROM training_notices n JOIN users u ON u.id = n.user_id WHERE n.doc_id = ? AND n.version = ? AND n.kind = 'minor-revision' ORDER BY u.username",
    [docId, version],
  );
  return {
    docId,
    version,
    title: v.title,
    effectiveFrom: v.effective_from,
    trainees,
    counts: {
      mustTrain: live.length,
      trained: live.filter((t) => t.status === "completed").length,
      due: live.filter((t) => t.state === "due").length,
      overdue: live.filter((t) => t.state === "overdue").length,
      onTime: live.filter((t) => t.signedAt !== null && t.signedAt.slice(0, 10) <= t.dueOn).length,
    },
    medianWorkingDays: median(signed),
    notified: notified.map((n) => ({ username: n.username, at: n.created_at })),
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface TranscriptEntry {
  assignmentId: number;
  docId: string;
  version: string;
  title: string;
  status: AssignmentStatus;
  state: TrainingState;
  cause: AssignmentCause;
  causeLabel: string;
  causeRef: string | null;
  assignedAt: string;
  dueOn: string;
  closedAt: string | null;
  /** How it was completed: the read-and-understood signature. */
  signedAt: string | null;
  signatureId: number | null;
  printedName: string | null;
  contentHash: string | null;
  onTime: boolean | null;
  quiz: { attempts: number; bestScore: number | null; passed: boolean } | null;
}

export interface Transcript {
  userId: string;
  username: string;
  displayName: string;
  active: boolean;
  jobFunctions: string[];
  managerUsername: string | null;
  entries: TranscriptEntry[];
}

/** Inspection question 10: every document and version a person was assigned and trained on, when and how, superseded curricula included. */
export async function transcript(db: Queryable, username: string, today: string): Promise<Transcript | null> {
  const u = await db.get<{ id: string; username: string; display_name: string; active: number; manager: string | null }>(
    "SELECT u.id, u.username, u.display_name, u.active, m.username AS manager FROM users u LEFT JOIN users m ON m.id = u.manager_id WHERE u.username = ?",
    [username.trim().toLowerCase()],
  );
  if (!u) return null;
  const fns = await db.all<{ fn: string }>("SELECT job_function_id AS fn FROM user_job_functions WHERE user_id = ? ORDER BY 1", [u.id]);
  const rows = await db.all<{
    id: number;
    doc_id: string;
    version: string;
    title: string;
    status: AssignmentStatus;
    cause: AssignmentCause;
    cause_ref: string | null;
    assigned_at: string;
    due_on: string;
    closed_at: string | null;
    signature_id: number | null;
    signed_at: string | null;
    printed_name: string | null;
    content_hash: string | null;
    attempts: number;
    best: number | null;
    passed: number;
  }>(
    `SELECT a.id, a.doc_id, a.version, v.title, a.status, a.cause, a.cause_ref, a.assigned_at, a.due_on, a.closed_at, a.signature_id,
            s.signed_at, s.printed_name, s.content_hash,
            (SELECT count(*) FROM quiz_attempts qa WHERE qa.assignment_id = a.id) AS attempts,
            (SELECT max(score) FROM quiz_attempts qa WHERE qa.assignment_id = a.id) AS best,
            (SELECT count(*) FROM quiz_attempts qa WHERE qa.assignment_id = a.id AND qa.passed = 1) AS passed
       FROM training_assignments a
       JOIN document_versions v ON v.doc_id = a.doc_id AND v.version = a.version
       LEFT JOIN signatures s ON s.id = a.signature_id
      WHERE a.user_id = ? ORDER BY a.doc_id, a.id`,
    [u.id],
  );
  return {
    userId: u.id,
    username: u.username,
    displayName: u.display_name,
    active: u.active === 1,
    jobFunctions: fns.map((f) => f.fn),
    managerUsername: u.manager,
    entries: rows.map((r) => ({
      assignmentId: r.id,
      docId: r.doc_id,
      version: r.version,
      title: r.title,
      status: r.status,
      state: trainingState({ status: r.status, dueOn: r.due_on }, today),
      cause: r.cause,
      causeLabel: CAUSE_LABELS[r.cause],
      causeRef: r.cause_ref,
      assignedAt: r.assigned_at,
      dueOn: r.due_on,
      closedAt: r.closed_at,
      signedAt: r.signed_at,
      signatureId: r.signature_id,
      printedName: r.printed_name,
      contentHash: r.content_hash,
      onTime: r.signed_at ? r.signed_at.slice(0, 10) <= r.due_on : null,
      quiz: r.attempts > 0 ? { attempts: r.attempts, bestScore: r.best, passed: r.passed > 0 } : null,
    })),
  };
}

export interface AsOfPerson {
  username: string;
  displayName: string;
  trained: boolean;
  acknowledgedAt: string | null;
  /** The read-and-understood signature that counts (the inspection binder prints its version). */
  signatureId: number | null;
}

export interface AsOfDocument {
  docId: string;
  title: string;
  /** The version in force that day. */
  version: string;
  /** People expected to be trained that day: assigned that version (or the one it revised without retraining) by then. */
  people: AsOfPerson[];
  trained: number;
}

/**
 * Who was trained on what as of a past day: for each document needing training, the version in
 * force that day, and for each person assigned it by then, whether they had signed by the end of
 * that day (the same rule as `quire trained`).
 */
export async function trainedAsOfDay(q: Pick<Quire, "db">, on: string, docId?: string): Promise<AsOfDocument[]> {
  const [versions, retirements] = await Promise.all([allVersions(q.db), allRetirementDates(q.db)]);
  const byDoc = new Map<string, DocumentVersion[]>();
  for (const v of versions) if (!docId || v.docId === docId) byDoc.set(v.docId, [...(byDoc.get(v.docId) ?? []), v]);
  const endOfDay = `${on}T23:59:59.999Z`;
  const result: AsOfDocument[] = [];
  for (const [id, list] of [...byDoc].sort(([a], [b]) => a.localeCompare(b))) {
    const inForce = effectiveOn(list, on, retirements.get(id)?.effectiveFrom ?? null)?.version;
    if (!inForce || inForce.frontmatter.training !== "required") continue;
    const baseline = trainingBaseline(list, inForce);
    const counting = list.filter((v) => compareVersions(v, baseline) >= 0 && compareVersions(v, inForce) <= 0).map((v) => v.version);
    const marks = counting.map(() => "?").join(", ");
    // Everyone assigned one of the counting versions by then, with what they were assigned and signed:
    // trainedAsOf decides each person by the same rule as `quire trained`.
    const [assigned, signed] = await Promise.all([
      q.db.all<{ user_id: string; username: string; display_name: string; version: string }>(
        `SELECT DISTINCT a.user_id, u.username, u.display_name, a.version FROM training_assignments a JOIN users u ON u.id = a.user_id
          WHERE a.doc_id = ? AND a.version IN (${marks}) AND a.status <> 'cancelled' AND a.assigned_at <= ? ORDER BY u.username`,
        [id, ...counting, endOfDay],
      ),
      q.db.all<{ user_id: string; version: string; signed_at: string; id: number }>(
        `SELECT user_id, version, signed_at, id FROM signatures WHERE doc_id = ? AND meaning = 'Read and understood' AND version IN (${marks}) AND signed_at <= ?`,
        [id, ...counting, endOfDay],
      ),
    ]);
    const people: AsOfPerson[] = [];
    for (const [userId, rows] of groupBy(assigned, (r) => r.user_id)) {
      const acks = signed.filter((x) => x.user_id === userId).map((x) => ({ version: x.version, signedAt: x.signed_at, signatureId: x.id }));
      const answer = trainedAsOf(
        list,
        retirements.get(id)?.effectiveFrom ?? null,
        acks,
        on,
        rows.map((r) => r.version),
      );
      people.push({
        username: rows[0]!.username,
        displayName: rows[0]!.display_name,
        trained: answer.trained,
        acknowledgedAt: answer.acknowledgedAt,
        signatureId: answer.signatureId,
      });
    }
    result.push({ docId: id, title: inForce.title, version: inForce.version, people, trained: people.filter((p) => p.trained).length });
  }
  return result;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
