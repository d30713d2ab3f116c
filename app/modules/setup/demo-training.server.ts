// The demo's training history, played through the same calls as the browser: staff join (their
// curriculum is assigned), approvals assign retraining (change control does that itself), and each
// person acknowledges what they were assigned some working days later, by re-entering their
// password and signing "Read and understood". A few people fall behind, so the demo shows training
// completed, due and overdue.

import { isoDate } from "~/clock.server";
import { verifySigner, type VerifiedSigner } from "~/modules/signatures/signatures.server";
import { acknowledgeAssignment } from "~/modules/training/acknowledge.server";
import { getAssignment, markNoticesRead } from "~/modules/training/assignments.server";
import { decideCurriculumChange, proposeCurriculumChange } from "~/modules/training/courses.server";
import { changeCurriculum } from "~/modules/training/curriculum.server";
import { loadJobFunctions } from "~/modules/training/job-functions.server";
import { quizOfAssignment, quizState, recordQuizAttempt } from "~/modules/training/knowledge-check.server";
import { approveCompetence, assessCompetence, recordSession } from "~/modules/training/sessions.server";
import { addWorkingDays } from "~/modules/training/working-days";
import { SYSTEM_ACTOR } from "~/modules/users/actor";
import { getUserByUsername, insertUser, setManager } from "~/modules/users/users.server";
import type { Quire } from "~/quire";

import { DEMO_GO_LIVE } from "./demo-history.server";
import { at, type DemoBackground, type DemoClock, type DemoStep } from "./demo-timeline.server";
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

/** One thing a person did between the demo's steps, at its instant. */
interface TrainingAction {
  at: Date;
  /** Once done, never offered again. */
  key: string;
  what: string;
  run: () => Promise<void>;
}

const MINUTE = 60_000;

/**
 * The demo's staff between the steps of its history (a DemoBackground): people join, pass their
 * knowledge checks, acknowledge what they were assigned and read their notices, each act at its own
 * instant. `until` plays every act due by an instant one at a time, the earliest first, looking
 * again after each (a person who joins is assigned their induction), so the acts interleave with
 * each other and with the steps around them in the order they happened.
 */
export class DemoTraining implements DemoBackground {
  private readonly done = new Set<string>();
  /** Knowledge checks that locked: no attempt after the lock. */
  private readonly locked = new Set<number>();
  private readonly signers = new Map<string, VerifiedSigner>();

  constructor(
    private readonly q: Quire,
    private readonly clock: DemoClock,
  ) {}

  private get now(): Date {
    return this.clock.now;
  }

  /** Plays everything that happened by `instant`: people joining, knowledge checks, acknowledgements and notices read. */
  async until(instant: Date): Promise<void> {
    for (;;) {
      const next = (await this.pending()).filter((a) => a.at <= instant && !this.done.has(a.key)).sort((x, y) => x.at.getTime() - y.at.getTime())[0];
      if (!next) return;
      this.clock.advance(next.at, next.what);
      this.done.add(next.key);
      await next.run();
    }
  }

  /** Every act still to come (before init), whether due yet or not, in a stable order for acts at the same instant. */
  private async pending(): Promise<TrainingAction[]> {
    const actions: TrainingAction[] = [...this.joining()];
    const open = await this.q.db.all<{ id: number; username: string; doc_id: string; version: string; assigned_at: string }>(
      `SELECT a.id, u.username, a.doc_id, a.version, a.assigned_at FROM training_assignments a JOIN users u ON u.id = a.user_id
        WHERE a.status = 'open' ORDER BY a.assigned_at, a.id`,
    );
    for (const a of open) actions.push(...this.acknowledging(a), ...this.lockingOut(a));
    // Notices are read two working days after they arrive (recorded as the person's own act).
    const unread = await this.q.db.all<{ user_id: string; username: string; created_at: string }>(
      "SELECT n.user_id, u.username, min(n.created_at) AS created_at FROM training_notices n JOIN users u ON u.id = n.user_id WHERE n.read_at IS NULL GROUP BY 1, 2",
    );
    for (const n of unread) {
      const at = new Date(`${addWorkingDays(n.created_at.slice(0, 10), 2)}T08:45:00.000Z`);
      if (NOTICES_UNREAD.has(n.username) || at >= this.now) continue;
      actions.push({
        at,
        key: `read ${n.username} ${at.toISOString()}`,
        what: `${n.username} reads their notices`,
        run: () =>
          this.q.db.transaction(async (tx) => {
            await markNoticesRead(tx, { id: n.user_id, username: n.username }, { userId: n.user_id, username: n.username, clientAddress: null }, at);
          }),
      });
    }
    return actions;
  }

  /** Staff join: at go-live everyone was inducted on the QMS as it then stood; a recent starter's account is created the day they join. */
  private joining(): TrainingAction[] {
    return DEMO_USERS.filter((u) => u.jobFunctions.length > 0).map((u) => {
      const day = joinedOn(u, this.now);
      const at = new Date(`${day}T08:30:00.000Z`);
      return { at, key: `join ${u.username}`, what: `${u.username} joins`, run: () => this.join(u, day, at) };
    });
  }

  private async join(u: DemoUser, day: string, at: Date): Promise<void> {
    if (u.joinedWorkingDaysAgo === undefined) {
      const person = (await getUserByUsername(this.q.db, u.username))!;
      await this.q.db.transaction((tx) =>
        changeCurriculum(tx, { person, before: [], after: person.jobFunctions, cause: "induction", actor: SYSTEM_ACTOR, at, today: day }),
      );
      return;
    }
    // Creating the account assigns their induction.
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

  /** Knowledge checks failed and passed, then the "Read and understood" signature, some working days after assignment. */
  private acknowledging(a: { id: number; username: string; doc_id: string; version: string; assigned_at: string }): TrainingAction[] {
    const pace = PACE[a.username];
    if (!pace || notDone(a.username, a.doc_id, a.version)) return [];
    const day = addWorkingDays(a.assigned_at.slice(0, 10), pace.base + spreadOf(a.doc_id, pace.spread));
    const signedAt = new Date(`${day}T14:${String(10 + (a.id % 45)).padStart(2, "0")}:00.000Z`);
    if (signedAt >= this.now) return [];
    const failures = QUIZ_FAILURES[`${a.username} ${a.doc_id}`] ?? 0;
    const actions: TrainingAction[] = [];
    // Ten minutes apart before signing: the failed attempts, then the one passed.
    for (let i = failures; i >= 0; i--) {
      actions.push({
        at: new Date(signedAt.getTime() - (i + 1) * 10 * MINUTE),
        key: `quiz ${a.id} ${i}`,
        what: `${a.username}'s knowledge check on ${a.doc_id} v${a.version}`,
        run: async () => {
          await this.takeQuiz(a.id, a.username, i === 0, new Date(signedAt.getTime() - (i + 1) * 10 * MINUTE));
        },
      });
    }
    actions.push({
      at: signedAt,
      key: `ack ${a.id}`,
      what: `${a.username}'s read and understood of ${a.doc_id} v${a.version}`,
      run: async () => {
        await acknowledgeAssignment(this.q, await this.signer(a.username), a.id, signedAt);
      },
    });
    return actions;
  }

  /** Knowledge checks failed until locked, two working days after assignment, fifteen minutes apart. */
  private lockingOut(a: { id: number; username: string; doc_id: string; assigned_at: string }): TrainingAction[] {
    if (!QUIZ_LOCKED.has(`${a.username} ${a.doc_id}`) || this.locked.has(a.id)) return [];
    const start = new Date(`${addWorkingDays(a.assigned_at.slice(0, 10), 2)}T10:00:00.000Z`);
    if (start >= this.now) return [];
    const attempts = Array.from({ length: 10 }, (_, i) => i).filter((i) => !this.done.has(`lock ${a.id} ${i}`));
    const i = attempts[0];
    if (i === undefined) return [];
    const at = new Date(start.getTime() + i * 15 * MINUTE);
    return [
      {
        at,
        key: `lock ${a.id} ${i}`,
        what: `${a.username}'s failed knowledge check on ${a.doc_id}`,
        run: async () => {
          if (!(await this.takeQuiz(a.id, a.username, false, at))) this.locked.add(a.id);
        },
      },
    ];
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

async function userId(q: Quire, username: string): Promise<string | null> {
  return (await getUserByUsername(q.db, username))?.id ?? null;
}

function signerFor(q: Quire, username: string): Promise<VerifiedSigner> {
  return verifySigner(q, { username, clientAddress: null }, DEMO_PASSWORD);
}

/**
 * SOP-TR-001 step 1 in the demo: the training coordinator puts GCP training (refreshed every 3 years)
 * into the clinical functions' curricula one morning, and the quality manager signs each change the
 * next afternoon; a proposal to add EDC system training for data managers still awaits the quality
 * manager. `training.gcp` receives the GCP course.
 */
async function curriculumSteps(q: Quire, today: string, training: { gcp: number | null }): Promise<DemoStep[]> {
  const trainerId = await userId(q, "trainer");
  if (!trainerId) return [];
  const trainer = { userId: trainerId, username: "trainer", clientAddress: null };
  const proposedAt = at(addWorkingDays(today, -25), "10:00");
  const decidedAt = at(addWorkingDays(today, -24), "14:00");
  const reason = "ICH E6(R3) requires GCP training appropriate to the role; SOP-TR-001 asks for a refresh every 3 years.";
  const known = new Set((await loadJobFunctions(q.db)).map((f) => f.id));
  const functions = ["cra", "data-manager", "project-manager", "site-start-up-specialist"].filter((f) => known.has(f));
  const changeIds: number[] = [];
  const steps: DemoStep[] = functions.map((jobFunction) => ({
    at: proposedAt,
    what: `GCP training proposed for ${jobFunction}`,
    run: async () => {
      const course = training.gcp === null ? { title: "ICH E6(R3) Good Clinical Practice", refreshMonths: 36 } : { id: training.gcp };
      const { changeId, courseId } = await proposeCurriculumChange(q.db, trainer, { jobFunction, action: "add", reason, course }, proposedAt);
      changeIds.push(changeId);
      training.gcp = courseId;
    },
  }));
  steps.push(
    ...functions.map((jobFunction, i) => ({
      at: decidedAt,
      what: `GCP training approved for ${jobFunction}`,
      run: async () => {
        await decideCurriculumChange(q.db, await signerFor(q, "qa"), changeIds[i]!, { approve: true }, decidedAt);
      },
    })),
  );
  if (!known.has("data-manager")) return steps;
  const edcAt = at(addWorkingDays(today, -1), "09:30");
  steps.push({
    at: edcAt,
    what: "EDC training proposed for data managers",
    run: async () => {
      await proposeCurriculumChange(
        q.db,
        trainer,
        {
          jobFunction: "data-manager",
          action: "add",
          reason: "Data managers build and clean studies in the EDC; SOP-TR-001 asks for system training before access is granted.",
          course: { title: "EDC system training (study build and query management)", refreshMonths: null },
        },
        edcAt,
      );
    },
  });
  return steps;
}

/**
 * The demo's training records besides read-and-understood, as steps of its history: the curricula
 * above, a classroom session the training coordinator delivered, and cra3's practical competence
 * signed off by cra1 (qualified as a CRA) and approved by cra3's line manager, all e-signed through
 * the same calls as the pages, each on its day.
 */
export async function demoTrainingRecordSteps(q: Quire, now: Date): Promise<DemoStep[]> {
  const today = isoDate(now);
  const training = { gcp: null as number | null };
  const steps = await curriculumSteps(q, today, training);
  const heldOn = addWorkingDays(today, -12);
  const sessionAt = at(heldOn, "16:30");
  steps.push({
    at: sessionAt,
    what: "the ICH E6(R3) refresher session",
    run: async () => {
      const trainer = await userId(q, "trainer");
      const attendees = (await Promise.all(["cra1", "cra2", "dm1", "cra3"].map((u) => userId(q, u)))).filter((x): x is string => x !== null);
      if (!trainer || attendees.length === 0) return;
      const documents = (
        await q.db.all<{ doc_id: string; version: string }>(
          "SELECT doc_id, version FROM document_versions WHERE doc_id IN ('SOP-DV-001', 'SOP-TS-001') ORDER BY major DESC, minor DESC",
        )
      ).slice(0, 1);
      await recordSession(
        q.db,
        await signerFor(q, "trainer"),
        {
          title: "ICH E6(R3) refresher: what changed for monitoring and data management",
          kind: "classroom",
          heldOn,
          durationMinutes: 90,
          content:
            "Risk-based quality management, critical-to-quality factors, proportionate monitoring and the sponsor's oversight of service providers; quiz discussed in the room.",
          documents: documents.map((d) => ({ docId: d.doc_id, version: d.version })),
          attendees: attendees.map((id) => ({ userId: id, completed: true })),
          courseId: training.gcp,
        },
        heldOn,
        sessionAt,
      );
    },
  });
  const observedOn = addWorkingDays(today, -4);
  const assessedAt = at(observedOn, "17:00");
  const competence = { signoff: null as number | null, manager: null as string | null };
  steps.push({
    at: assessedAt,
    what: "cra3's practical competence assessed",
    run: async () => {
      const cra3 = await userId(q, "cra3");
      const manager = cra3
        ? await q.db.get<{ username: string }>("SELECT m.username FROM users u JOIN users m ON m.id = u.manager_id WHERE u.id = ?", [cra3])
        : undefined;
      if (!cra3 || !manager || !(await userId(q, "cra1"))) return;
      competence.manager = manager.username;
      competence.signoff = await assessCompetence(
        q.db,
        await signerFor(q, "cra1"),
        {
          traineeId: cra3,
          jobFunction: "cra",
          task: "Co-monitoring visit at site 104: source data verification of 6 subjects, drug accountability and the visit report.",
          observedOn,
        },
        observedOn,
        assessedAt,
      );
    },
  });
  const approvedAt = at(addWorkingDays(today, -2), "09:15");
  steps.push({
    at: approvedAt,
    what: "cra3's practical competence approved",
    run: async () => {
      if (competence.signoff === null || competence.manager === null) return;
      await approveCompetence(q.db, await signerFor(q, competence.manager), competence.signoff, approvedAt);
    },
  });
  return steps;
}
