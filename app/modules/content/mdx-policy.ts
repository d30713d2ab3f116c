import type { Nodes, Root } from "mdast";
import type { MdxJsxFlowElement, MdxJsxTextElement } from "mdast-util-mdx-jsx";
import remarkFrontmatter from "remark-frontmatter";
import remarkGfm from "remark-gfm";
import remarkMdx from "remark-mdx";
import remarkParse from "remark-parse";
import { unified } from "unified";

import { COMPONENT_NAMES, componentRule } from "./components";
import type { Problem, ProblemRule } from "./problems";
import { isSafeUrl } from "./safe-url";

/**
 * The version of the rules below. Bump it whenever a rule tightens: compiled code is cached under
 * this version (render.server.ts COMPILER_ID), so code compiled when a looser policy passed its
 * source is checked again, and refused if it now fails, instead of being executed from the cache.
 *   1: the policy as first released.
 *   2: names such as `constructor` or `toString` no longer pass as components or attributes (they
 *      were found on Object.prototype); a first line starting with `---` must be a plain YAML fence
 *      (`---js` is code to the frontmatter reader mdx-bundler runs).
 */
export const POLICY_VERSION = 2;

export interface PolicyContext {
  jobFunctions: ReadonlySet<string>;
  documentIds: ReadonlySet<string>;
}

type JsxElement = MdxJsxFlowElement | MdxJsxTextElement;

const parser = unified().use(remarkParse).use(remarkMdx).use(remarkFrontmatter, ["yaml"]).use(remarkGfm);

/** The one MDX syntax tree of a source (remark with MDX, frontmatter and GFM), as the policy check reads it. */
export function parseMdxTree(source: string): Root {
  return parser.parse(source);
}

/** A non-negative decimal as a KPI's target or tolerance is written. */
const DECIMAL = /^\d+(\.\d+)?$/;
const KPI_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** A job function id as job-functions.yaml writes it (or `owner`, `none`). */
const FUNCTION_ID = /^[a-z][a-z0-9-]*$/;
const INTEGER = /^\d+$/;

export const DOCUMENT_LINK = /^\/documents\/([^/?#]+)/;

/**
 * Checks an MDX file against Quire's content policy before anything compiles or executes it:
 * MDX syntax; no import/export; no JavaScript expressions; only registered components with
 * string-literal attributes; component nesting; and references to documents and job functions.
 */
export function checkMdx(path: string, source: string, context: PolicyContext): Problem[] {
  return checkSource(path, source, context).problems;
}

/** checkMdx, keeping the parsed tree (null when the source does not parse) for checks across documents. */
export function checkMdxWithTree(path: string, source: string, context: PolicyContext): { problems: Problem[]; tree: Root | null } {
  return checkSource(path, source, context);
}

/**
 * The part of the policy that is about safety, for code that has no content context (the
 * renderer): everything checkMdx checks except whether referenced documents and job functions
 * exist, which decides whether a document is correct, not whether rendering it is safe.
 */
export function checkMdxSafety(path: string, source: string): Problem[] {
  return checkSource(path, source, null).problems;
}

/** The safety rules on a tree already parsed (the tree the compiler itself is about to compile). */
export function checkMdxTreeSafety(path: string, tree: Root): Problem[] {
  return checkTree(path, tree, null);
}

/** gray-matter (run by mdx-bundler) reads `---js` or `---coffee` as the start of frontmatter in that language. */
const FRONTMATTER_OPENING = /^---(?!-)/;

function checkSource(path: string, source: string, context: PolicyContext | null): { problems: Problem[]; tree: Root | null } {
  let tree: Root;
  try {
    tree = parser.parse(source);
  } catch (error) {
    // micromark reports a VFileMessage whose `place` is a point or a range.
    type Point = { line?: number; column?: number };
    const e = error as { place?: Point | { start: Point }; reason?: string; message: string };
    // Some (mdast-util-mdx-jsx) give no place but end the reason with "(line:column-line:column)".
    const inText = /\s*\((\d+):(\d+)(?:-\d+:\d+)?\)$/.exec(e.reason ?? e.message);
    const point: Point | undefined =
      e.place && "start" in e.place ? e.place.start : (e.place ?? (inText ? { line: Number(inText[1]), column: Number(inText[2]) } : undefined));
    const reason = (e.reason ?? e.message).replace(/\s*\(\d+:\d+(-\d+:\d+)?\)$/, "");
    return { problems: [{ path, line: point?.line ?? 1, column: point?.column ?? 1, rule: "mdx-syntax", message: `MDX syntax: ${reason}` }], tree: null };
  }
  const problems: Problem[] = [];
  if (FRONTMATTER_OPENING.test(source) && tree.children[0]?.type !== "yaml") {
    problems.push({ path, line: 1, column: 1, rule: "frontmatter", message: "the first line must be `---` alone, opening YAML frontmatter" });
  }
  return { problems: [...problems, ...checkTree(path, tree, context)], tree };
}

/** The policy's rules on a parsed tree; with no context, references are not checked. */
function checkTree(path: string, tree: Root, context: PolicyContext | null): Problem[] {
  const problems: Problem[] = [];
  const report = (node: Nodes, rule: ProblemRule, message: string) => {
    problems.push({
      path,
      line: node.position?.start.line ?? 1,
      column: node.position?.start.column ?? 1,
      rule,
      message,
    });
  };

  const visit = (node: Nodes, parent: JsxElement | null) => {
    switch (node.type) {
      case "mdxjsEsm":
        report(node, "no-import-export", "`import` and `export` are not allowed in controlled documents");
        return;
      case "mdxFlowExpression":
      case "mdxTextExpression":
        report(node, "no-expression", "JavaScript expressions `{...}` are not allowed; write plain text");
        return;
      case "mdxJsxFlowElement":
      case "mdxJsxTextElement":
        checkElement(node, parent);
        for (const child of node.children) visit(child as Nodes, node);
        return;
      case "link":
        checkLink(node, node.url);
        break;
      case "definition":
        checkLink(node, node.url);
        break;
      case "image":
        checkLink(node, node.url);
        break;
      default:
        break;
    }
    if ("children" in node) {
      for (const child of node.children) visit(child as Nodes, parent);
    }
  };

  const checkLink = (node: Nodes, url: string) => {
    if (!isSafeUrl(url)) {
      report(node, "unsafe-link", `links may go to http(s), mailto or Quire pages only, not ${JSON.stringify(url.slice(0, 40))}`);
      return;
    }
    const match = DOCUMENT_LINK.exec(url);
    if (match && context && !context.documentIds.has(decodedOrRaw(match[1] ?? ""))) {
      report(node, "doc-ref", `link to unknown document ${match[1]}`);
    }
  };

  const checkElement = (node: JsxElement, parent: JsxElement | null) => {
    const name = node.name;
    if (name === null) {
      report(node, "unknown-component", "fragments `<>` are not allowed");
      return;
    }
    // Own properties only: `<constructor>` must not find Object.prototype.constructor.
    const rule = componentRule(name);
    if (!rule) {
      const what = /^[a-z]/.test(name) ? `HTML element <${name}>` : `component <${name}>`;
      report(node, "unknown-component", `${what} is not allowed; use one of ${COMPONENT_NAMES.join(", ")}`);
      return;
    }
    if (rule.parent && parent?.name !== rule.parent) {
      report(node, "component-nesting", `<${name}> must be placed directly inside <${rule.parent}>`);
    }
    if (rule.onlyChild) {
      for (const child of node.children) {
        const isElement = child.type === "mdxJsxFlowElement" || child.type === "mdxJsxTextElement";
        if (isElement && (child as JsxElement).name === rule.onlyChild) continue;
        report(child as Nodes, "component-nesting", `<${name}> may only contain <${rule.onlyChild}> elements`);
      }
    }
    if (rule.empty && node.children.length > 0) {
      report(node, "component-nesting", `<${name}> takes no children; write <${name} ... />`);
    }
    const seen = new Set<string>();
    for (const attribute of node.attributes) {
      if (attribute.type === "mdxJsxExpressionAttribute") {
        report(node, "no-expression", `<${name}>: spread attributes {...} are not allowed`);
        continue;
      }
      const attrRule = Object.hasOwn(rule.attributes, attribute.name) ? rule.attributes[attribute.name] : undefined;
      if (!attrRule) {
        const allowed = Object.keys(rule.attributes);
        report(
          node,
          "component-attribute",
          `<${name}> has no attribute \`${attribute.name}\`` +
            (allowed.length ? ` (allowed: ${allowed.join(", ")})` : " (it takes none)"),
        );
        continue;
      }
      seen.add(attribute.name);
      const value = attribute.value;
      if (value !== null && typeof value === "object") {
        report(node, "no-expression", `<${name} ${attribute.name}={...}>: write the value as a quoted string`);
        continue;
      }
      if (value === null || value === undefined || value.trim() === "") {
        report(node, "component-attribute", `<${name}> attribute \`${attribute.name}\` needs a value`);
        continue;
      }
      if (attrRule.values && !attrRule.values.includes(value)) {
        report(
          node,
          "component-attribute",
          `<${name}> attribute \`${attribute.name}\` must be one of ${attrRule.values.join(", ")}, not "${value}"`,
        );
      }
      if (attrRule.kind === "number" && !DECIMAL.test(value)) {
        report(node, "component-attribute", `<${name}> attribute \`${attribute.name}\` must be a number such as 95 or 2.5, not "${value}"`);
      }
      if (attrRule.kind === "kpi-id" && !KPI_ID.test(value)) {
        report(node, "component-attribute", `<${name}> attribute \`${attribute.name}\` must be lower-case words joined by hyphens (e.g. query-resolution-time), not "${value}"`);
      }
      if (attrRule.kind === "integer" && !INTEGER.test(value)) {
        report(node, "component-attribute", `<${name}> attribute \`${attribute.name}\` must be a whole number such as 10, not "${value}"`);
      }
      // Whether the job functions named exist, and `owner` is not last, is checked with the rules'
      // meaning (app/modules/change-control/document-control-rules.ts), which also knows where they apply.
      if (attrRule.kind === "job-function-or-none" && !FUNCTION_ID.test(value)) {
        report(node, "component-attribute", `<${name}> attribute \`${attribute.name}\` must be a job function id or none, not "${value}"`);
      }
      if (attrRule.kind === "approval-signers" && !value.trim().split(/\s+/).every((s) => FUNCTION_ID.test(s))) {
        report(
          node,
          "component-attribute",
          `<${name}> attribute \`${attribute.name}\` must be job function ids or owner separated by spaces (e.g. "owner quality-manager"), not "${value}"`,
        );
      }
      if (attrRule.kind === "job-function" && context && !context.jobFunctions.has(value)) {
        report(node, "job-function", `<${name}> ${attribute.name}="${value}" is not a defined job function`);
      }
      if (attrRule.kind === "document-id" && context && !context.documentIds.has(value)) {
        report(node, "doc-ref", `<${name}> ${attribute.name}="${value}" is not a known document`);
      }
    }
    for (const [attrName, attrRule] of Object.entries(rule.attributes)) {
      if (attrRule.required && !seen.has(attrName)) {
        report(node, "component-attribute", `<${name}> is missing the required attribute \`${attrName}\``);
      }
    }
  };

  visit(tree, null);
  return problems;
}

/** A malformed escape (`%E0`) is reported as an unknown document rather than crashing the check. */
function decodedOrRaw(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
