// Document control's rules are written in SOP-DC-001's own text (decision 017): <ApprovalRoutes> with
// one <ApprovalRoute> per document type where the SOP assigns numbers, <ReviewersInclude> and
// <ReviewerFinalApproval> where it routes the review, <MinimumTrainingPeriod> where it makes a version
// effective, <PeriodicReviewNotice> where it plans the periodic review. So the rules are reviewed,
// signed, versioned and made effective with the SOP, and changed only through its change request.
// This file reads them from a document's syntax tree and says what is wrong, at the element; the
// meaning is checked by routing.ts (checkDocumentControlRules), the one check of the rules.
import type { Root, RootContent } from "mdast";
import type { MdxJsxAttribute, MdxJsxFlowElement, MdxJsxTextElement } from "mdast-util-mdx-jsx";

import { DOCUMENT_TYPES, type DocumentType } from "~/modules/content/document-types";
import type { Problem } from "~/modules/content/problems";

import { STEP_PATTERN, checkDocumentControlRules, type DocumentControlRules } from "./routing";

type JsxElement = MdxJsxFlowElement | MdxJsxTextElement;

/** The components that each state one rule, with the rule's key and the attribute holding its value. */
const SINGLE_RULES = {
  ReviewersInclude: { key: "reviewersInclude", attribute: "jobFunction" },
  ReviewerFinalApproval: { key: "reviewerMayGiveFinalApproval", attribute: "allowed" },
  MinimumTrainingPeriod: { key: "minimumTrainingWorkingDays", attribute: "workingDays" },
  PeriodicReviewNotice: { key: "periodicReviewNoticeDays", attribute: "days" },
} as const;
type SingleRule = keyof typeof SINGLE_RULES;

/** Each of these appears once in the document that states the rules. */
const ONCE = ["ApprovalRoutes", ...(Object.keys(SINGLE_RULES) as SingleRule[])] as const;
const RULE_ELEMENTS: ReadonlySet<string> = new Set([...ONCE, "ApprovalRoute"]);

/** A cheap look at a source before parsing it: does it name any of the rules' components? */
export function mayStateDocumentControlRules(source: string): boolean {
  return /<(ApprovalRoutes?|ReviewersInclude|ReviewerFinalApproval|MinimumTrainingPeriod|PeriodicReviewNotice)\b/.test(source);
}

/** What one document says of document control's rules. */
export interface RulesInDocument {
  /** Where the document states them (its first rule component); null when it states none. */
  at: { line: number; column: number } | null;
  /** The rules, when the document states them completely and correctly. */
  rules: DocumentControlRules | null;
  problems: Problem[];
}

function isElement(node: RootContent | Root): node is JsxElement {
  return node.type === "mdxJsxFlowElement" || node.type === "mdxJsxTextElement";
}

function attr(el: JsxElement, name: string): string {
  const a = el.attributes.find((x): x is MdxJsxAttribute => x.type === "mdxJsxAttribute" && x.name === name);
  return typeof a?.value === "string" ? a.value.trim() : "";
}

function position(el: JsxElement): { line: number; column: number } {
  return { line: el.position?.start.line ?? 1, column: el.position?.start.column ?? 1 };
}

function isDocumentType(value: string): value is DocumentType {
  return (DOCUMENT_TYPES as readonly string[]).includes(value);
}

/** The rules' elements in document order. */
function ruleElements(tree: Root): JsxElement[] {
  const found: JsxElement[] = [];
  const visit = (node: Root | RootContent) => {
    if (isElement(node) && node.name !== null && RULE_ELEMENTS.has(node.name)) found.push(node);
    if ("children" in node) for (const child of node.children) visit(child as RootContent);
  };
  visit(tree);
  return found;
}

/** A rule's value as its attribute is written; undefined when the policy check refuses its form (it reports that). */
function ruleValue(rule: SingleRule, value: string): string | number | boolean | null | undefined {
  switch (rule) {
    case "ReviewersInclude":
      return value === "none" ? null : value;
    case "ReviewerFinalApproval":
      return value === "yes" ? true : value === "no" ? false : undefined;
    case "MinimumTrainingPeriod":
    case "PeriodicReviewNotice":
      return /^\d+$/.test(value) ? Number(value) : undefined;
  }
}

/**
 * The rules a document states, or what is wrong with them: a rule stated twice, a rule missing once
 * any is stated, a document type routed twice or not at all, and what routing.ts's check finds (a
 * number out of range, a job function that does not exist, `owner` as the final signer). Without
 * `jobFunctions` the job functions are not checked (reading rules approved already).
 */
export function documentControlRulesIn(tree: Root, path: string, jobFunctions: ReadonlySet<string> | null): RulesInDocument {
  const elements = ruleElements(tree);
  const firstElement = elements[0];
  if (!firstElement) return { at: null, rules: null, problems: [] };
  const problems: Problem[] = [];
  const report = (el: JsxElement, message: string) => problems.push({ path, ...position(el), rule: "document-control-rules", message });

  const once = new Map<string, JsxElement>();
  for (const el of elements) {
    if (el.name === "ApprovalRoute" || el.name === null) continue;
    const earlier = once.get(el.name);
    if (earlier) report(el, `<${el.name}> appears a second time (first at line ${position(earlier).line}); each of document control's rules is stated once`);
    else once.set(el.name, el);
  }
  const missing = ONCE.filter((name) => !once.has(name));
  if (missing.length > 0) {
    report(firstElement, `this document states document control's rules, so it must state them all: ${missing.map((n) => `<${n}>`).join(", ")} missing`);
  }

  // Per document type, the signers in order (SOP-DC-001 "Assign the number and version").
  let routesWellFormed = true;
  const routes = new Map<DocumentType, JsxElement>();
  const approval: Partial<Record<DocumentType, string[]>> = {};
  for (const el of elements.filter((e) => e.name === "ApprovalRoute")) {
    const type = attr(el, "type");
    const signers = attr(el, "signers").split(/\s+/).filter(Boolean);
    if (!isDocumentType(type) || signers.length === 0 || !signers.every((s) => STEP_PATTERN.test(s))) {
      routesWellFormed = false; // the policy check names the bad attribute
      continue;
    }
    const earlier = routes.get(type);
    if (earlier) {
      report(el, `<ApprovalRoute type="${type}"> routes ${type} a second time (first at line ${position(earlier).line}); each document type has one route`);
      continue;
    }
    routes.set(type, el);
    approval[type] = signers;
  }
  const routesElement = once.get("ApprovalRoutes");
  const unrouted = DOCUMENT_TYPES.filter((t) => !routes.has(t));
  if (routesElement && unrouted.length > 0 && routesWellFormed) {
    report(routesElement, `<ApprovalRoutes> has no <ApprovalRoute> for ${unrouted.join(", ")}; every document type needs its route`);
  }

  let complete = missing.length === 0 && routesWellFormed;
  const raw: Record<string, unknown> = { approval };
  for (const name of Object.keys(SINGLE_RULES) as SingleRule[]) {
    const el = once.get(name);
    if (!el) continue;
    const value = ruleValue(name, attr(el, SINGLE_RULES[name].attribute));
    if (value === undefined) complete = false;
    else raw[SINGLE_RULES[name].key] = value;
  }
  if (!complete || problems.length > 0) return { at: position(firstElement), rules: null, problems };

  const checked = checkDocumentControlRules(raw, jobFunctions);
  for (const issue of checked.issues) {
    const [key, type] = issue.at;
    if (key === "approval" && typeof type === "string" && isDocumentType(type)) {
      report(routes.get(type) ?? routesElement ?? firstElement, `<ApprovalRoute type="${type}"> signers: ${issue.message}`);
      continue;
    }
    const rule = (Object.keys(SINGLE_RULES) as SingleRule[]).find((n) => SINGLE_RULES[n].key === key);
    const el = rule ? once.get(rule) : undefined;
    report(el ?? firstElement, rule ? `<${rule}> ${SINGLE_RULES[rule].attribute}: ${issue.message}` : issue.message);
  }
  return { at: position(firstElement), rules: checked.rules, problems };
}

/** Where a document states the rules, to find them stated in two documents. */
export interface RulesSighting {
  path: string;
  line: number;
  column: number;
}

/**
 * One document states document control's rules: two would be two sets of approval routes, and
 * nobody could say which one a change request must follow.
 */
export function rulesStatedTwiceProblems(sightings: readonly RulesSighting[]): Problem[] {
  const [first, ...others] = sightings;
  if (!first) return [];
  return others.map((s) => ({
    path: s.path,
    line: s.line,
    column: s.column,
    rule: "document-control-rules" as const,
    message: `document control's rules are already stated in ${first.path} at line ${first.line}; one document states them (SOP-DC-001)`,
  }));
}
