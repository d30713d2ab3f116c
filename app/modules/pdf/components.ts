// Quire's components on paper, mirroring app/components/mdx/mdx-components.tsx. The map is typed by
// ComponentName (app/modules/content/components.ts): a component added there without a drawer here
// fails to compile.
import type { RootContent } from "mdast";

import {
  approvalRouteText,
  daysText,
  documentTypeLabel,
  reviewerFinalApprovalText,
  reviewersIncludeText,
  workingDaysText,
} from "~/modules/change-control/rules-text";
import { SOURCE_LABELS, formatTarget, formatTolerance, type KpiDirection, type KpiSource, type KpiUnit } from "~/modules/kpi/kpi";

import { drawBarred, drawBlocks, drawRuns, plainText } from "./blocks";
import {
  BODY_SIZE,
  COLORS,
  attribute,
  ensureSpace,
  indented,
  type ComponentDrawer,
  type ComponentDrawers,
  type DrawContext,
  type JsxElement,
  type Run,
} from "./draw-context";
import { drawTable } from "./table";

const CALLOUT_LABELS: Record<string, string> = { note: "Note", warning: "Warning", regulatory: "Regulatory requirement" };
const CALLOUT_COLORS: Record<string, string> = { note: COLORS.note, warning: COLORS.warning, regulatory: COLORS.regulatory };

function children(el: JsxElement): RootContent[] {
  return el.children as RootContent[];
}

function childElements(el: JsxElement, name: string): JsxElement[] {
  return el.children.filter((c): c is JsxElement => (c.type === "mdxJsxFlowElement" || c.type === "mdxJsxTextElement") && c.name === name);
}

/** A container met inside a line of text prints its text. */
function asText(el: JsxElement): Run[] {
  return [{ text: plainText(el), font: "regular" }];
}

/** A labelled block: the label in bold on its own line, the content indented under it. */
function labelled(ctx: DrawContext, label: Run[], el: JsxElement): void {
  ensureSpace(ctx, BODY_SIZE * 4);
  drawRuns(ctx, label, BODY_SIZE, 2);
  drawBlocks(children(el), indented(ctx, 14));
}

const callout: ComponentDrawer = {
  block(el, ctx) {
    const kind = attribute(el, "kind") ?? "note";
    const title = attribute(el, "title") ?? CALLOUT_LABELS[kind] ?? kind;
    drawBarred(ctx, CALLOUT_COLORS[kind] ?? COLORS.rule, (inner) => {
      drawRuns(inner, [{ text: title, font: "bold" }], BODY_SIZE, 3);
      drawBlocks(children(el), inner);
    });
  },
  inline: asText,
};

const steps: ComponentDrawer = {
  block(el, ctx) {
    // Numbered as on screen (a CSS counter over the Steps' Step elements).
    childElements(el, "Step").forEach((step, i) => drawStep(step, i + 1, ctx));
  },
  inline: asText,
};

function drawStep(el: JsxElement, number: number | null, ctx: DrawContext): void {
  const title = attribute(el, "title") ?? "";
  const owner = attribute(el, "owner");
  const label: Run[] = [{ text: number === null ? title : `${number}. ${title}`, font: "bold" }];
  if (owner) label.push({ text: `  (${ctx.jobFunctionName(owner)})`, font: "italic" });
  labelled(ctx, label, el);
}

const step: ComponentDrawer = {
  block: (el, ctx) => drawStep(el, null, ctx),
  inline: asText,
};

const responsibilities: ComponentDrawer = {
  block(el, ctx) {
    for (const r of childElements(el, "Responsibility")) responsibility.block(r, ctx);
  },
  inline: asText,
};

const responsibility: ComponentDrawer = {
  block(el, ctx) {
    const role = attribute(el, "role") ?? "";
    labelled(ctx, [{ text: ctx.jobFunctionName(role), font: "bold" }], el);
  },
  inline: asText,
};

const definition: ComponentDrawer = {
  block(el, ctx) {
    labelled(ctx, [{ text: attribute(el, "term") ?? "", font: "bold" }], el);
  },
  inline: asText,
};

const RECORD_COLUMNS = ["Record", "Retention", "Location", "Notes"];

function recordRow(el: JsxElement): string[] {
  return [attribute(el, "name") ?? "", attribute(el, "retention") ?? "", attribute(el, "location") ?? "", plainText(el)];
}

const recordsTable: ComponentDrawer = {
  block(el, ctx) {
    drawTable(ctx, { header: RECORD_COLUMNS, rows: childElements(el, "Record").map(recordRow), weights: [3, 2, 2, 4] });
  },
  inline: asText,
};

const record: ComponentDrawer = {
  block(el, ctx) {
    drawTable(ctx, { header: RECORD_COLUMNS, rows: [recordRow(el)], weights: [3, 2, 2, 4] });
  },
  inline: asText,
};

const KPI_COLUMNS = ["KPI", "Definition and formula", "Target", "Data, frequency and owner"];

function kpiRow(el: JsxElement, ctx: DrawContext): string[] {
  const def = kpiTargetOf(el);
  const frequency = attribute(el, "frequency") ?? "";
  const source = (attribute(el, "source") ?? "") as KpiSource;
  return [
    `${attribute(el, "name") ?? ""}\n${attribute(el, "id") ?? ""}`,
    `${plainText(el)}\nFormula: ${attribute(el, "formula") ?? ""}`,
    `${formatTarget(def)}; ${formatTolerance(def)}`,
    `${SOURCE_LABELS[source] ?? source}: ${attribute(el, "dataSource") ?? ""}. ${frequency.charAt(0).toUpperCase()}${frequency.slice(1)}. Owner: ${ctx.jobFunctionName(attribute(el, "owner") ?? "")}.`,
  ];
}

function kpiTargetOf(el: JsxElement) {
  return {
    unit: (attribute(el, "unit") ?? "count") as KpiUnit,
    direction: (attribute(el, "direction") ?? "higher") as KpiDirection,
    target: Number(attribute(el, "target") ?? 0),
    tolerance: Number(attribute(el, "tolerance") ?? 0),
  };
}

const KPI_WEIGHTS = [3, 5, 3, 4];

const kpiTable: ComponentDrawer = {
  block(el, ctx) {
    drawTable(ctx, { header: KPI_COLUMNS, rows: childElements(el, "Kpi").map((k) => kpiRow(k, ctx)), weights: KPI_WEIGHTS });
  },
  inline: asText,
};

const kpi: ComponentDrawer = {
  block(el, ctx) {
    drawTable(ctx, { header: KPI_COLUMNS, rows: [kpiRow(el, ctx)], weights: KPI_WEIGHTS });
  },
  inline: asText,
};

// Document control's rules (SOP-DC-001, decision 017): the routes as a table, the other rules as
// their values inside the sentences that state them, in bold as on screen.
const APPROVAL_ROUTE_COLUMNS = ["Document type", "Approved by (in order)"];
const APPROVAL_ROUTE_WEIGHTS = [2, 5];

function approvalRouteRow(el: JsxElement, ctx: DrawContext): string[] {
  return [documentTypeLabel(attribute(el, "type") ?? ""), approvalRouteText(attribute(el, "signers") ?? "", (id) => ctx.jobFunctionName(id))];
}

const approvalRoutes: ComponentDrawer = {
  block(el, ctx) {
    drawTable(ctx, {
      header: APPROVAL_ROUTE_COLUMNS,
      rows: childElements(el, "ApprovalRoute").map((r) => approvalRouteRow(r, ctx)),
      weights: APPROVAL_ROUTE_WEIGHTS,
    });
  },
  inline: asText,
};

const approvalRoute: ComponentDrawer = {
  block(el, ctx) {
    drawTable(ctx, { header: APPROVAL_ROUTE_COLUMNS, rows: [approvalRouteRow(el, ctx)], weights: APPROVAL_ROUTE_WEIGHTS });
  },
  inline: (el, ctx) => [{ text: approvalRouteRow(el, ctx).join(": "), font: "regular" }],
};

/** A rule that reads as a few words or a sentence: drawn in the line, or as its own line when it stands alone. */
function ruleText(text: (el: JsxElement, ctx: DrawContext) => string, font: Run["font"]): ComponentDrawer {
  const drawer: ComponentDrawer = {
    block(el, ctx) {
      drawRuns(ctx, drawer.inline(el, ctx));
    },
    inline: (el, ctx) => [{ text: text(el, ctx), font }],
  };
  return drawer;
}

const reviewersInclude = ruleText((el, ctx) => reviewersIncludeText(attribute(el, "jobFunction") ?? "", (id) => ctx.jobFunctionName(id)), "bold");
const reviewerFinalApproval = ruleText((el) => reviewerFinalApprovalText(attribute(el, "allowed") ?? ""), "regular");
const minimumTrainingPeriod = ruleText((el) => workingDaysText(attribute(el, "workingDays") ?? ""), "bold");
const periodicReviewNotice = ruleText((el) => daysText(attribute(el, "days") ?? ""), "bold");

const docRef: ComponentDrawer = {
  block(el, ctx) {
    drawRuns(ctx, docRef.inline(el, ctx));
  },
  inline(el) {
    return [{ text: attribute(el, "id") ?? "", font: "bold" }];
  },
};

export const PDF_DRAWERS: ComponentDrawers = {
  Callout: callout,
  Steps: steps,
  Step: step,
  Responsibilities: responsibilities,
  Responsibility: responsibility,
  Definition: definition,
  RecordsTable: recordsTable,
  Record: record,
  KpiTable: kpiTable,
  Kpi: kpi,
  ApprovalRoutes: approvalRoutes,
  ApprovalRoute: approvalRoute,
  ReviewersInclude: reviewersInclude,
  ReviewerFinalApproval: reviewerFinalApproval,
  MinimumTrainingPeriod: minimumTrainingPeriod,
  PeriodicReviewNotice: periodicReviewNotice,
  DocRef: docRef,
};
