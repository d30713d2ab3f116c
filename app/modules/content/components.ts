import { DOCUMENT_TYPES } from "./document-types";

/**
 * The components a controlled document may use, and the rules the validator enforces for each.
 * The React implementations live in app/components/mdx/; this file is the contract both share.
 */
export type AttributeKind =
  | "text"
  | "job-function"
  | "document-id"
  | "number"
  | "kpi-id"
  /** One of DOCUMENT_TYPES (an approval route's document type). */
  | "document-type"
  /** Job function ids or `owner` (the document's owner function), separated by spaces, in signing order. */
  | "approval-signers"
  /** A job function id, or `none` for no requirement. */
  | "job-function-or-none"
  /** A whole number of days: digits only. */
  | "integer"
  /** `yes` or `no`. */
  | "yes-no";

export interface AttributeRule {
  required: boolean;
  kind: AttributeKind;
  values?: readonly string[];
}

export interface ComponentRule {
  attributes: Record<string, AttributeRule>;
  /** The only component allowed as a direct child, when the component is a container. */
  onlyChild?: string;
  /** The component this one must sit directly inside. */
  parent?: string;
  /** True when the component takes no children. */
  empty?: boolean;
  description: string;
}

const text = (required: boolean, values?: readonly string[]): AttributeRule => ({ required, kind: "text", values });
const number = (required: boolean): AttributeRule => ({ required, kind: "number" });

/** Allowed values of a <Kpi>'s attributes; app/modules/kpi/kpi.ts holds the same lists as types. */
export const KPI_ATTRIBUTE_VALUES = {
  unit: ["%", "days", "count"],
  direction: ["higher", "lower"],
  frequency: ["monthly", "quarterly", "half-yearly"],
  source: ["computed", "imported"],
  aggregation: ["ratio", "median", "mean", "sum"],
} as const;

export const COMPONENT_RULES = {
  Callout: {
    attributes: { kind: text(true, ["note", "warning", "regulatory"]), title: text(false) },
    description: "A highlighted note; `regulatory` cites a regulation.",
  },
  Steps: { attributes: {}, onlyChild: "Step", description: "An ordered procedure." },
  Step: {
    attributes: { title: text(true), owner: { required: false, kind: "job-function" } },
    parent: "Steps",
    description: "One numbered step, optionally naming the job function that performs it.",
  },
  Responsibilities: { attributes: {}, onlyChild: "Responsibility", description: "Who does what." },
  Responsibility: {
    attributes: { role: { required: true, kind: "job-function" } },
    parent: "Responsibilities",
    description: "One job function's duties.",
  },
  Definition: { attributes: { term: text(true) }, description: "A defined term." },
  RecordsTable: { attributes: {}, onlyChild: "Record", description: "The records a procedure produces." },
  Record: {
    attributes: { name: text(true), retention: text(true), location: text(false) },
    parent: "RecordsTable",
    description: "One record with its retention period and location.",
  },
  KpiTable: {
    attributes: {},
    onlyChild: "Kpi",
    description: "A procedure's performance indicators: each <Kpi> is one entry of the KPI catalogue (SOP-KP-001).",
  },
  Kpi: {
    attributes: {
      id: { required: true, kind: "kpi-id" },
      name: text(true),
      unit: text(true, KPI_ATTRIBUTE_VALUES.unit),
      direction: text(true, KPI_ATTRIBUTE_VALUES.direction),
      target: number(true),
      tolerance: number(true),
      frequency: text(true, KPI_ATTRIBUTE_VALUES.frequency),
      source: text(true, KPI_ATTRIBUTE_VALUES.source),
      aggregation: text(true, KPI_ATTRIBUTE_VALUES.aggregation),
      owner: { required: true, kind: "job-function" },
      dataSource: text(true),
      formula: text(true),
    },
    parent: "KpiTable",
    description:
      "One KPI: id, name, unit, direction (higher or lower is better), target, tolerance (the amber band), frequency, source (computed by Quire or imported), aggregation, owner function, data source and formula; its text is the definition.",
  },
  // Document control's rules (SOP-DC-001, decision 017): written where the SOP states them, so they
  // are reviewed, signed and made effective with it. Their meaning is checked in
  // app/modules/change-control/document-control-rules.ts; here, only each attribute's form.
  ApprovalRoutes: {
    attributes: {},
    onlyChild: "ApprovalRoute",
    description: "Document control's approval routing (SOP-DC-001): one <ApprovalRoute> per document type.",
  },
  ApprovalRoute: {
    attributes: {
      type: { required: true, kind: "document-type", values: DOCUMENT_TYPES },
      signers: { required: true, kind: "approval-signers" },
    },
    parent: "ApprovalRoutes",
    empty: true,
    description:
      "The approval signatures a document type needs, in order: job function ids or `owner` (the document's owner function), separated by spaces; the last is the final approval, which makes the version.",
  },
  ReviewersInclude: {
    attributes: { jobFunction: { required: true, kind: "job-function-or-none" } },
    empty: true,
    description: "The job function at least one named reviewer must hold (SOP-DC-001), or `none`; reads as that function's name.",
  },
  ReviewerFinalApproval: {
    attributes: { allowed: { required: true, kind: "yes-no", values: ["yes", "no"] } },
    empty: true,
    description: "Whether a person who reviewed a change may also give its final approval; reads as a sentence saying so.",
  },
  MinimumTrainingPeriod: {
    attributes: { workingDays: { required: true, kind: "integer" } },
    empty: true,
    description: "Working days from approval to the earliest effective date, for training (SOP-DC-001); reads as \"10 working days\".",
  },
  PeriodicReviewNotice: {
    attributes: { days: { required: true, kind: "integer" } },
    empty: true,
    description: "Days before a periodic review is due that Quire tells the document owner (SOP-DC-001); reads as \"60 days\".",
  },
  DocRef: {
    attributes: { id: { required: true, kind: "document-id" } },
    empty: true,
    description: "A link to another controlled document by id.",
  },
} satisfies Record<string, ComponentRule>;

/**
 * The components' names as a type: maps keyed by it (the PDF engine's drawers, app/modules/pdf) must
 * cover every component, so adding one here without its drawer fails to compile.
 */
export type ComponentName = keyof typeof COMPONENT_RULES;

export const COMPONENT_NAMES = Object.keys(COMPONENT_RULES) as ComponentName[];

/** Own properties only: `constructor` or `toString` must not pass as a component name. */
export function isComponentName(name: string): name is ComponentName {
  return Object.hasOwn(COMPONENT_RULES, name);
}

/** The rule of a component named in a document, or undefined when there is no such component. */
export function componentRule(name: string): ComponentRule | undefined {
  return isComponentName(name) ? COMPONENT_RULES[name] : undefined;
}
