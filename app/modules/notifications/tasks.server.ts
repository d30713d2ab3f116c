// "My tasks" (issue 13): a signed-in person's open work across Quire, read from the same rules the
// notifications use, so what an email asks for is what the task list shows. Nothing here writes.

import { commentsOf, listChangeRequests } from "~/modules/change-control/change-control.server";
import { changeTasks } from "~/modules/change-control/change-view.server";
import { documentControlRules } from "~/modules/change-control/routing.server";
import { listRegister } from "~/modules/copies/register.server";
import { reviewsDue } from "~/modules/documents/periodic-review.server";
import { kpiDashboard } from "~/modules/kpi/dashboard.server";
import { trainingSummary } from "~/modules/training/my-training.server";
import type { CurrentUser } from "~/modules/users/auth.server";
import type { Quire } from "~/quire";

import { isCommentToResolve, reviewStep } from "./notifications";

export interface ChangeTask {
  id: string;
  docId: string;
  title: string;
  link: string;
}

export interface CommentTask extends ChangeTask {
  /** Comments (and rejections) on it still to resolve. */
  comments: number;
}

export interface ReviewTask {
  docId: string;
  title: string;
  nextReview: string;
  /** Negative: overdue. */
  daysLeft: number;
  link: string;
}

export interface CopyTask {
  copyId: string;
  docId: string;
  version: string;
  recipient: string;
  location: string;
  link: string;
}

export interface KpiTask {
  kpiId: string;
  name: string;
  period: string;
  /** A red month's cause analysis (the KPI's owner or a quality manager), or a CAPA (quality managers). */
  ask: "analysis" | "capa";
  link: string;
}

export interface MyTasks {
  on: string;
  review: ChangeTask[];
  approve: ChangeTask[];
  drafts: ChangeTask[];
  comments: CommentTask[];
  reviews: ReviewTask[];
  /** Null: the person is not a document controller (no copies.issue). */
  copies: CopyTask[] | null;
  /** Red KPIs waiting for this person (SOP-KP-001); null without actions.manage. */
  kpis: KpiTask[] | null;
  /** Null: the person takes no training (no training.acknowledge). */
  training: { due: number; overdue: number } | null;
  total: number;
}

function changeTask(cr: { id: string; docId: string; title: string }): ChangeTask {
  return { id: cr.id, docId: cr.docId, title: cr.title, link: `/changes/${cr.id}` };
}

/** Whether the person holds a document's owner function (a job function, or a role of that name). */
function owns(user: CurrentUser, owner: string): boolean {
  return user.jobFunctions.includes(owner) || (user.roles as readonly string[]).includes(owner);
}

/**
 * Everything waiting for this person on `today`: change requests to review, approve or edit, their
 * comments to resolve, the periodic reviews of documents their function owns that are due within
 * `reviewNoticeDays` or overdue, copies to recall (document controllers), and their open training.
 */
export async function myTasks(q: Quire, user: CurrentUser, today: string, noticeDays?: number): Promise<MyTasks> {
  // SOP-DC-001: the owner hears of a periodic review this many days ahead (the rules in force that day).
  const reviewNoticeDays = noticeDays ?? (await documentControlRules(q, today)).periodicReviewNoticeDays;
  const all = await listChangeRequests(q.db);
  const tasks = await changeTasks(q, user, all);
  const [reviews, copies, training] = await Promise.all([
    reviewsDue(q, today),
    user.permissions.includes("copies.issue") ? listRegister(q.db, { status: "to-recall", doc: null }, today) : Promise.resolve(null),
    user.permissions.includes("training.acknowledge") ? trainingSummary(q, user.id, today) : Promise.resolve(null),
  ]);
  // Comments to resolve are on the person's own open change requests, in Draft or In review.
  const comments: CommentTask[] = [];
  for (const cr of all.filter((c) => c.authorId === user.id && (c.state === "draft" || c.state === "in-review"))) {
    const count = (await commentsOf(q.db, cr.id)).filter((c) => isCommentToResolve(cr, c)).length;
    if (count > 0) comments.push({ ...changeTask(cr), comments: count });
  }
  const result: MyTasks = {
    on: today,
    review: tasks.review.map(changeTask),
    approve: tasks.approve.map(changeTask),
    drafts: tasks.drafts.map(changeTask),
    comments,
    reviews: reviews
      .filter((r) => owns(user, r.owner) && reviewStep(r.daysLeft, reviewNoticeDays) !== null)
      .map((r) => ({ docId: r.docId, title: r.title, nextReview: r.nextReview, daysLeft: r.daysLeft, link: `/documents/${r.docId}/review` })),
    copies:
      copies?.map((c) => ({
        copyId: c.copyId,
        docId: c.docId,
        version: c.version,
        recipient: c.recipient,
        location: c.location,
        link: `/copies/${c.copyId}`,
      })) ?? null,
    kpis: user.permissions.includes("actions.manage") ? await kpiTasks(q, user, today) : null,
    training: training ? { due: training.due, overdue: training.overdue } : null,
    total: 0,
  };
  result.total =
    result.review.length +
    result.approve.length +
    result.drafts.length +
    result.comments.length +
    result.reviews.length +
    (result.copies?.length ?? 0) +
    (result.kpis?.length ?? 0) +
    (result.training ? result.training.due + result.training.overdue : 0);
  return result;
}

const QUALITY_MANAGER = "quality-manager";

/**
 * SOP-KP-001, "Act on red KPIs": the owner of a red KPI records the cause analysis (a quality manager
 * may record it too), and a quality manager opens a CAPA when it is red two months running.
 */
async function kpiTasks(q: Quire, user: CurrentUser, today: string): Promise<KpiTask[]> {
  const qualityManager = user.jobFunctions.includes(QUALITY_MANAGER);
  const { period, tiles } = await kpiDashboard(q, today);
  const tasks: KpiTask[] = [];
  for (const t of tiles) {
    const { id, name, owner } = t.definition;
    if (t.analysisNeeded && (qualityManager || owns(user, owner))) {
      tasks.push({ kpiId: id, name, period, ask: "analysis", link: `/kpis/${id}/analysis?period=${period}` });
    }
    if (t.capaNeeded && qualityManager) tasks.push({ kpiId: id, name, period, ask: "capa", link: `/kpis/${id}#capa` });
  }
  return tasks;
}
