/**
 * The components a controlled document may use, and the rules the validator enforces for each.
 * The React implementations live in app/components/mdx/; this file is the contract both share.
 */
export type AttributeKind = "text" | "job-function" | "document-id" | "number" | "kpi-id";

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
