// The KPI catalogue is read from the documents themselves: each SOP's Performance Indicators section
// holds <Kpi> components (SOP-KP-001, "Define and approve KPIs"), so a definition is approved, signed
// and versioned with the SOP that defines it, and changed only through that SOP's change request
// (decision 016). This file turns a document's syntax tree into typed definitions; the policy check
// (app/modules/content/mdx-policy.ts) has already refused bad attribute values.
import type { Root, RootContent } from "mdast";
import type { MdxJsxAttribute, MdxJsxFlowElement, MdxJsxTextElement } from "mdast-util-mdx-jsx";
import { toString } from "mdast-util-to-string";

import type { Problem } from "~/modules/content/problems";

import {
  KPI_AGGREGATIONS,
  KPI_DIRECTIONS,
  KPI_FREQUENCIES,
  KPI_SOURCES,
  KPI_UNITS,
  type KpiAggregation,
  type KpiDefinition,
  type KpiDirection,
  type KpiFrequency,
  type KpiSource,
  type KpiUnit,
} from "./kpi";

type JsxElement = MdxJsxFlowElement | MdxJsxTextElement;

function isElement(node: RootContent | Root): node is JsxElement {
  return node.type === "mdxJsxFlowElement" || node.type === "mdxJsxTextElement";
}

function attr(el: JsxElement, name: string): string {
  const a = el.attributes.find((x): x is MdxJsxAttribute => x.type === "mdxJsxAttribute" && x.name === name);
  return typeof a?.value === "string" ? a.value.trim() : "";
}

function oneOf<T extends string>(values: readonly T[], value: string): T | null {
  return (values as readonly string[]).includes(value) ? (value as T) : null;
}

/** Every <Kpi> element in a tree, in document order. */
function kpiElements(tree: Root): JsxElement[] {
  const found: JsxElement[] = [];
  const visit = (node: Root | RootContent) => {
    if (isElement(node) && node.name === "Kpi") found.push(node);
    if ("children" in node) for (const child of node.children) visit(child as RootContent);
  };
  visit(tree);
  return found;
}

/**
 * The KPIs a document defines. Elements whose attributes the policy check would refuse are left
 * out here (the policy reports them); the definition is the element's text with whitespace folded.
 */
export function kpiDefinitionsIn(tree: Root, docId: string): KpiDefinition[] {
  const definitions: KpiDefinition[] = [];
  for (const el of kpiElements(tree)) {
    const unit = oneOf<KpiUnit>(KPI_UNITS, attr(el, "unit"));
    const direction = oneOf<KpiDirection>(KPI_DIRECTIONS, attr(el, "direction"));
    const frequency = oneOf<KpiFrequency>(KPI_FREQUENCIES, attr(el, "frequency"));
    const source = oneOf<KpiSource>(KPI_SOURCES, attr(el, "source"));
    const aggregation = oneOf<KpiAggregation>(KPI_AGGREGATIONS, attr(el, "aggregation"));
    const target = Number(attr(el, "target"));
    const tolerance = Number(attr(el, "tolerance"));
    const id = attr(el, "id");
    if (!id || !unit || !direction || !frequency || !source || !aggregation || !Number.isFinite(target) || !Number.isFinite(tolerance)) continue;
    definitions.push({
      id,
      name: attr(el, "name"),
      unit,
      direction,
      target,
      tolerance,
      frequency,
      source,
      aggregation,
      owner: attr(el, "owner"),
      dataSource: attr(el, "dataSource"),
      formula: attr(el, "formula"),
      definition: toString(el).replace(/\s+/g, " ").trim(),
      docId,
    });
  }
  return definitions;
}

/** Where each KPI id is defined, to find the same id defined twice across the content. */
export interface KpiSighting {
  id: string;
  path: string;
  line: number;
  column: number;
}

/** The positions of a document's <Kpi> ids, for the cross-document uniqueness check. */
export function kpiSightings(tree: Root, path: string): KpiSighting[] {
  return kpiElements(tree)
    .map((el) => ({ id: attr(el, "id"), path, line: el.position?.start.line ?? 1, column: el.position?.start.column ?? 1 }))
    .filter((s) => s.id !== "");
}

/**
 * One id, one definition across the whole catalogue: a KPI defined in two places (or twice in one
 * SOP) would have two targets, and nobody could say which one the dashboard measures against.
 */
export function duplicateKpiProblems(sightings: readonly KpiSighting[]): Problem[] {
  const first = new Map<string, KpiSighting>();
  const problems: Problem[] = [];
  for (const s of sightings) {
    const earlier = first.get(s.id);
    if (!earlier) {
      first.set(s.id, s);
      continue;
    }
    problems.push({
      path: s.path,
      line: s.line,
      column: s.column,
      rule: "kpi-id",
      message: `KPI id "${s.id}" is already defined ${earlier.path === s.path ? "" : `in ${earlier.path} `}at line ${earlier.line}; each KPI is defined once`,
    });
  }
  return problems;
}
