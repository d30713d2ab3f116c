// Training impact of a change (issue 11, beyond what eQMS products do by hand): from the previous
// and the new text, which sections changed and which job functions they name (a changed
// Responsibility's role, a changed Step's owner), and what that proposes for each job function in
// the audience. The approver confirms or changes the proposal; approval records the decision.

import type { Root, RootContent } from "mdast";
import type { MdxJsxFlowElement } from "mdast-util-mdx-jsx";
import { toString } from "mdast-util-to-string";

import { parseMdxTree } from "~/modules/content/mdx-policy";

export const IMPACT_DECISIONS = ["retrain", "notify", "none"] as const;
export type ImpactDecision = (typeof IMPACT_DECISIONS)[number];

export interface ChangedSection {
  /** The section's heading, or the Responsibility/Step it is. */
  title: string;
  /** Job functions the changed part names (a Responsibility's role, a Step's owner). */
  functions: string[];
  kind: "added" | "removed" | "changed";
}

export interface TrainingImpact {
  changed: ChangedSection[];
  proposal: Record<string, ImpactDecision>;
  reasons: Record<string, string>;
}

interface Part {
  key: string;
  title: string;
  functions: string[];
  text: string;
}

function attribute(node: MdxJsxFlowElement, name: string): string | null {
  const a = node.attributes.find((x) => x.type === "mdxJsxAttribute" && x.name === name);
  return a && typeof a.value === "string" ? a.value : null;
}

/**
 * The comparable parts of a document: each `##` section's own text, and inside it each
 * Responsibility (by role) and Step (by title) on its own, so a change is pinned to whom it concerns.
 */
export function documentParts(tree: Root, source: string): Part[] {
  const parts: Part[] = [];
  let section = "(before the first heading)";
  let sectionText: string[] = [];
  const flush = () => {
    parts.push({ key: `section:${section}`, title: section, functions: [], text: sectionText.join("\n").replace(/\s+/g, " ").trim() });
    sectionText = [];
  };
  const slice = (n: RootContent) => (n.position ? source.slice(n.position.start.offset, n.position.end.offset) : toString(n));
  const visit = (n: RootContent) => {
    if (n.type === "mdxJsxFlowElement" && (n.name === "Responsibility" || n.name === "Step")) {
      const fn = attribute(n, n.name === "Responsibility" ? "role" : "owner");
      const label = n.name === "Responsibility" ? `Responsibility of ${fn ?? "?"}` : `Step: ${attribute(n, "title") ?? "?"}`;
      parts.push({ key: `${n.name}:${label}`, title: label, functions: fn ? [fn] : [], text: slice(n).replace(/\s+/g, " ").trim() });
      return;
    }
    if (n.type === "mdxJsxFlowElement" && (n.name === "Responsibilities" || n.name === "Steps")) {
      for (const child of n.children) visit(child);
      return;
    }
    sectionText.push(slice(n));
  };
  for (const node of tree.children) {
    if (node.type === "yaml") continue;
    if (node.type === "heading" && node.depth <= 2) {
      flush();
      section = toString(node);
      continue;
    }
    visit(node);
  }
  flush();
  return parts.filter((p) => p.text.length > 0 || p.key.startsWith("Responsibility") || p.key.startsWith("Step"));
}

/** What changed between two texts of a document, part by part. */
export function changedParts(before: string | null, after: string): ChangedSection[] {
  const old = before === null ? [] : documentParts(parseMdxTree(before), before);
  const now = documentParts(parseMdxTree(after), after);
  const oldByKey = new Map(old.map((p) => [p.key, p]));
  const nowKeys = new Set(now.map((p) => p.key));
  const changed: ChangedSection[] = [];
  for (const p of now) {
    const was = oldByKey.get(p.key);
    if (!was) changed.push({ title: p.title, functions: p.functions, kind: "added" });
    else if (was.text !== p.text) changed.push({ title: p.title, functions: p.functions, kind: "changed" });
  }
  for (const p of old) if (!nowKeys.has(p.key)) changed.push({ title: p.title, functions: p.functions, kind: "removed" });
  return changed.filter((c) => c.title !== "(before the first heading)" || c.kind !== "changed");
}

/**
 * The proposal per job function in the audience: a major revision retrains everyone (SOP-TR-001
 * step 4); a minor one retrains the functions its changed Responsibilities and Steps name, and
 * notifies the others; a read-only document asks nothing.
 */
export function proposeTrainingImpact(input: {
  before: string | null;
  after: string;
  audience: readonly string[];
  revision: "major" | "minor";
  training: "required" | "read-only";
}): TrainingImpact {
  const changed = changedParts(input.before, input.after);
  const proposal: Record<string, ImpactDecision> = {};
  const reasons: Record<string, string> = {};
  for (const fn of input.audience) {
    if (input.training !== "required") {
      proposal[fn] = "none";
      reasons[fn] = "The document is read-only: no training.";
    } else if (input.revision === "major" || input.before === null) {
      proposal[fn] = "retrain";
      reasons[fn] =
        input.before === null ? "A first issue: everyone in the audience trains." : "A major revision: everyone in the audience retrains (SOP-TR-001).";
    } else {
      const naming = changed.filter((c) => c.functions.includes(fn));
      proposal[fn] = naming.length > 0 ? "retrain" : "notify";
      reasons[fn] = naming.length > 0 ? `Named in changed ${naming.map((c) => c.title).join("; ")}.` : "Not named in any changed Responsibility or Step.";
    }
  }
  return { changed, proposal, reasons };
}

/** The approver's decision for one job function, beside what Quire proposed and why. */
export interface FunctionDecision {
  proposed: ImpactDecision;
  decided: ImpactDecision;
  reason: string;
}

export class ImpactRefused extends Error {}

/**
 * The decisions an approval records: the proposal, changed where the approver chose otherwise.
 * Refused: a function not in the audience, a decision that is not retrain/notify/none, or anything
 * but retrain on a major revision (SOP-TR-001: training on major revisions is always required).
 */
export function decideTrainingImpact(
  impact: TrainingImpact,
  chosen: Readonly<Record<string, string>>,
  revision: "major" | "minor",
): Record<string, FunctionDecision> {
  const decisions: Record<string, FunctionDecision> = {};
  for (const [fn, value] of Object.entries(chosen)) {
    if (!(fn in impact.proposal)) throw new ImpactRefused(`${fn} is not in the document's audience, so it has no training decision.`);
    if (!(IMPACT_DECISIONS as readonly string[]).includes(value))
      throw new ImpactRefused(`"${value}" is not a training decision for ${fn}: choose retrain, notify or none.`);
    if (revision === "major" && value !== "retrain")
      throw new ImpactRefused(`A major revision retrains everyone in the audience (SOP-TR-001); ${fn} cannot be set to ${value}.`);
  }
  for (const [fn, proposed] of Object.entries(impact.proposal)) {
    const decided = (chosen[fn] as ImpactDecision | undefined) ?? proposed;
    decisions[fn] = {
      proposed,
      decided,
      reason: decided === proposed ? impact.reasons[fn]! : `Approver chose ${decided} (proposed ${proposed}: ${impact.reasons[fn]!})`,
    };
  }
  return decisions;
}
