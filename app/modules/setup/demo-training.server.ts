// The demo's training history, played through the same calls as the browser: staff join (their
// curriculum is assigned), approvals assign retraining (change control does that itself), and each
// person acknowledges what they were assigned some working days later, by re-entering their
// password and signing "Read and understood". A few people fall behind, so the demo shows training
// completed, due and overdue.

import { isoDate } from "~/clock.server";
import type { Quire } from "~/context.server";
import { loadJobFunctions } from "~/modules/documents/library.server";
import { verifySigner, type VerifiedSigner } from "~/modules/signatures/signatures.server";
import { acknowledgeAssignment } from "~/modules/training/acknowledge.server";
import { getAssignment, markNoticesRead } from "~/modules/training/assignments.server";
import { decideCurriculumChange, proposeCurriculumChange } from "~/modules/training/courses.server";
import { changeCurriculum } from "~/modules/training/curriculum.server";
import { quizOfAssignment, quizState, recordQuizAttempt } from "~/modules/training/knowledge-check.server";
import { approveCompetence, assessCompetence, recordSession } from "~/modules/training/sessions.server";
import { addWorkingDays } from "~/modules/training/working-days";
import { SYSTEM_ACTOR } from "~/modules/users/actor";
import { getUserByUsername, insertUser, setManager } from "~/modules/users/users.server";

import { DEMO_GO_LIVE } from "./demo-history.server";
import { DEMO_PASSWORD, DEMO_USERS, type DemoUser } from "./demo-users";

/** How many working days after being assigned each person signs (base, plus up to `spread` more by document). */
const PACE: Record<string, { base: number; spread: number }> = {
  qa: { base: 1, spread: 2 },
  author: { base: 2, spread: 2 },
  reviewer: { base: 2, spread: 2 },
  trainer: { base: 1, spread: 1 },
  cra1: { base: 1, spread: 3 },
  cra2: { base: 3, spread: 6 },
  dm1: { base: 2, spread: 3 },
  cra3: { base: 3, spread: 9 },
  pm1: { base: 2, spread: 12 },
  exec: { base: 2, spread: 4 },
  dc: { base: 1, spread: 2 },
};

/** Knowledge checks failed before the one passed (user name and document). */
const QUIZ_FAILURES: Record<string, number> = { "cra2 SOP-DV-001": 1, "dm1 SOP-DM-001": 1, "cra1 SOP-CM-001": 1 };

/** Knowledge checks failed until they locked (user name and document): a training coordinator must reset them. */
const QUIZ_LOCKED = new Set(["cra3 SOP-CM-001"]);

/** People who leave their notices unread (the demo shows what unread notices look like). */
const NOTICES_UNREAD = new Set(["cra2"]);

/** Training a person has not done by init (overdue in the demo): user name and document. */
const NOT_DONE = new Set(["cra2 SOP-CM-001 2.0", "cra3 SOP-CM-001", "cra3 WI-CM-001"]);

function notDone(username: string, docId: string, version: string): boolean {
  return NOT_DONE.has(`${username} ${docId}`) || NOT_DONE.has(`${username} ${docId} ${version}`);
}

/** A small stable number from a text (which documents a person is slower on). */
function spreadOf(text: string, spread: number): number {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return spread === 0 ? 0 : h % (spread + 1);
}

function joinedOn(u: DemoUser, now: Date): string {
  return u.joinedWorkingDaysAgo === undefined ? DEMO_GO_LIVE : addWorkingDays(isoDate(now), -u.joinedWorkingDaysAgo);
}

export class DemoTraining {
  private readonly joined = new Set<string>();
  private readonly signers = new Map<string, VerifiedSigner>();

  constructor(
    private readonly q: Quire,
    private readonly now: Date,
  ) {}

  /** Plays everything that happened before `instant`: people joining and acknowledgements. */
  async until(instant: Date): Promise<void> {
    const staff = DEMO_USERS.filter((u) => u.jobFunctions.length > 0);
    for (const u of staff) {
      const day = joinedOn(u, this.now);
      const at = new Date(`${day}T08:30:00.000Z`);
      if (this.joined.has(u.username) || at > instant) continue;
      if (u.joinedWorkingDaysAgo === undefined) {
        // At go-live everyone was inducted on the QMS as it then stood.
        const person = (await getUserByUsername(this.q.db, u.username))!;
        await this.q.db.transaction((tx) =>
          changeCurriculum(tx, { person, before: [], after: person.jobFunctions, cause: "induction", actor: SYSTEM_ACTOR, at, today: day }),
        );
      } else {
        // A recent starter's account is created the day they join; creating it assigns their induction.
        const functions = new Set((await loadJobFunctions(this.q.db)).map((j) => j.id));
        await this.q.db.transaction(async (tx) => {
          const { id } = await insertUser(
            tx,
            { ...u, email: `${u.username}@demo.quire.invalid`, jobFunctions: u.jobFunctions.filter((j) => functions.has(j)), password: DEMO_PASSWORD },
            SYSTEM_ACTOR,
            at,
          );
          if (u.manager) await setManager(tx, id, (await getUserByUsername(tx, u.manager))!.id, SYSTEM_ACTOR, at);
        });
      }
      this.joined.add(u.username);
    }
    const open = await this.q.db.all<{ id: number; username: string; doc_id: string; version: string; assigned_at: string }>(
      `SELECT a.id, u.username, a.doc_id, a.version, a.assigned_at FROM training_assignments a JOIN users u ON u.id = a.user_id
        WHERE a.status = 'open' ORDER BY a.assigned_at, a.id`,
    );
    const due = open
      .flatMap((a) => {
        const pace = PACE[a.username];
        if (!pace || notDone(a.username, a.doc_id, a.version)) return [];
        const day = addWorkingDays(a.assigned_at.slice(0, 10), pace.base + spreadOf(a.doc_id, pace.spread));
        const at = new Date(`${day}T14:${String(10 + (a.id % 45)).padStart(2, "0")}:00.000Z`);
        return at <= instant && at < this.now ? [{ ...a, at }] : [];
      })
      .sort((x, y) => x.at.getTime() - y.at.getTime());
    for (const a of due) {
      const failures = QUIZ_FAILURES[`${a.username} ${a.doc_id}`] ?? 0;
      for (let i = failures; i >= 0; i--) await this.takeQuiz(a.id, a.username, i === 0, new Date(a.at.getTime() - (i + 1) * 600_000));
      await acknowledgeAssignment(this.q, await this.signer(a.username), a.id, a.at);
    }
    // Notices are read two working days after they arrive (recorded as the person's own act).
    const unread = await this.q.db.all<{ user_id: string; username: string; created_at: string }>(
      "SELECT n.user_id, u.username, min(n.created_at) AS created_at FROM training_notices n JOIN users u ON u.id = n.user_id WHERE n.read_at IS NULL GROUP BY 1, 2",
    );
    for (const n of unread) {
      const at = new Date(`${addWorkingDays(n.created_at.slice(0, 10), 2)}T08:45:00.000Z`);
      if (NOTICES_UNREAD.has(n.username) || at > instant || at >= this.now) continue;
      await this.q.db.transaction((tx) =>
        markNoticesRead(tx, { id: n.user_id, username: n.username }, { userId: n.user_id, username: n.username, clientAddress: null }, at),
      );
    }
    // Knowledge checks failed until locked, two working days after assignment.
    for (const a of open.filter((x) => QUIZ_LOCKED.has(`${x.username} ${x.doc_id}`))) {
      const at = new Date(`${addWorkingDays(a.assigned_at.slice(0, 10), 2)}T10:00:00.000Z`);
      if (at > instant || at >= this.now) continue;
      for (let i = 0; i < 10; i++) {
        if (!(await this.takeQuiz(a.id, a.username, false, new Date(at.getTime() + i * 900_000)))) break;
      }
    }
  }

  /** One attempt at an assignment's knowledge check, right or wrong, through the server's grading; false when there is none to take. */
  private async takeQuiz(assignmentId: number, username: string, right: boolean, at: Date): Promise<boolean> {
    const assignment = (await getAssignment(this.q.db, assignmentId))!;
    const vq = await quizOfAssignment(this.q, assignment);
    if (!vq) return false;
    const state = await quizState(this.q.db, assignmentId, vq.quiz);
    if (state.passed || state.locked) return false;
    const answers = Object.fromEntries(
      vq.quiz.questions.map((question) => {
        const correct = question.options.filter((o) => o.correct).map((o) => o.id);
        const wrong = question.options.find((o) => !o.correct)!.id;
        return [question.id, right ? correct : [wrong]];
      }),
    );
    const person = (await getUserByUsername(this.q.db, username))!;
    await this.q.db.transaction((tx) =>
      recordQuizAttempt(tx, {
        assignment,
        vq,
        attempt: state.used + 1,
        quizHash: vq.hash,
        answers,
        actor: { userId: person.id, username, clientAddress: null },
        at,
      }),
    );
    return true;
  }

  /** The demo password re-entered once per person (Part 11 signing), kept for their later signatures. */
  private async signer(username: string): Promise<VerifiedSigner> {
    const known = this.signers.get(username);
    if (known) return known;
    const signer = await verifySigner(this.q, { username, clientAddress: null }, DEMO_PASSWORD);
    this.signers.set(username, signer);
    return signer;
  }
}

/**
 * A classroom session the training coordinator delivered, and cra3's practical competence signed
 * off by cra1 (qualified as a CRA) and approved by cra3's line manager, all e-signed through the
 * same calls as the pages.
 */
/**
 * SOP-TR-001 step 1 in the demo: the training coordinator puts GCP training (refreshed every 3 years)
 * into the clinical functions' curricula and the quality manager signs each change; a proposal to add
 * EDC system training for data managers still awaits the quality manager. Returns the GCP course.
 */
async function demoCurricula(q: Quire, trainerId: string, today: string): Promise<number | null> {
  const qa = await verifySigner(q, { username: "qa", clientAddress: null }, DEMO_PASSWORD);
  const trainer = { userId: trainerId, username: "trainer", clientAddress: null };
  const proposedAt = new Date(`${addWorkingDays(today, -25)}T10:00:00.000Z`);
  const decidedAt = new Date(`${addWorkingDays(today, -24)}T14:00:00.000Z`);
  const reason = "ICH E6(R3) requires GCP training appropriate to the role; SOP-TR-001 asks for a refresh every 3 years.";
  const known = new Set((await loadJobFunctions(q.db)).map((f) => f.id));
  let gcp: number | null = null;
  for (const jobFunction of ["cra", "data-manager", "project-manager", "site-start-up-specialist"].filter((f) => known.has(f))) {
    const course = gcp === null ? { title: "ICH E6(R3) Good Clinical Practice", refreshMonths: 36 } : { id: gcp };
    const { changeId, courseId } = await proposeCurriculumChange(q.db, trainer, { jobFunction, action: "add", reason, course }, proposedAt);
    await decideCurriculumChange(q.db, qa, changeId, { approve: true }, decidedAt);
    gcp = courseId;
  }
  if (!known.has("data-manager")) return gcp;
  await proposeCurriculumChange(
    q.db,
    trainer,
    {
      jobFunction: "data-manager",
      action: "add",
      reason: "Data managers build and clean studies in the EDC; SOP-TR-001 asks for system training before access is granted.",
      course: { title: "EDC system training (study build and query management)", refreshMonths: null },
    },
    new Date(`${addWorkingDays(today, -1)}T09:30:00.000Z`),
  );
  return gcp;
}

export async function demoSessionsAndCompetence(q: Quire, now: Date): Promise<void> {
  const today = isoDate(now);
  const id = async (username: string) => (await getUserByUsername(q.db, username))?.id ?? null;
  const signer = (username: string) => verifySigner(q, { username, clientAddress: null }, DEMO_PASSWORD);
  const trainer = await id("trainer");
  const gcp = trainer ? await demoCurricula(q, trainer, today) : null;
  const attendees = (await Promise.all(["cra1", "cra2", "dm1", "cra3"].map(id))).filter((x): x is string => x !== null);
  const documents = (
    await q.db.all<{ doc_id: string; version: string }>(
      "SELECT doc_id, version FROM document_versions WHERE doc_id IN ('SOP-DV-001', 'SOP-TS-001') ORDER BY major DESC, minor DESC",
    )
  ).slice(0, 1);
  if (trainer && attendees.length > 0) {
    const heldOn = addWorkingDays(today, -12);
    await recordSession(
      q.db,
      await signer("trainer"),
      {
        title: "ICH E6(R3) refresher: what changed for monitoring and data management",
        kind: "classroom",
        heldOn,
        durationMinutes: 90,
        content:
          "Risk-based quality management, critical-to-quality factors, proportionate monitoring and the sponsor's oversight of service providers; quiz discussed in the room.",
        documents: documents.map((d) => ({ docId: d.doc_id, version: d.version })),
        attendees: attendees.map((userId) => ({ userId, completed: true })),
        courseId: gcp,
      },
      today,
      new Date(`${heldOn}T16:30:00.000Z`),
    );
  }
  const cra3 = await id("cra3");
  const manager = cra3
    ? await q.db.get<{ username: string }>("SELECT m.username FROM users u JOIN users m ON m.id = u.manager_id WHERE u.id = ?", [cra3])
    : undefined;
  if (cra3 && manager && (await id("cra1"))) {
    const observedOn = addWorkingDays(today, -4);
    const signoff = await assessCompetence(
      q.db,
      await signer("cra1"),
      {
        traineeId: cra3,
        jobFunction: "cra",
        task: "Co-monitoring visit at site 104: source data verification of 6 subjects, drug accountability and the visit report.",
        observedOn,
      },
      today,
      new Date(`${observedOn}T17:00:00.000Z`),
    );
    await approveCompetence(q.db, await signer(manager.username), signoff, new Date(`${addWorkingDays(today, -2)}T09:15:00.000Z`));
  }
}
