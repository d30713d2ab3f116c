/**
 * Generates a long, realistic SOP for the benchmark: about 20 printed pages (~10,000 words) of
 * procedure text following docs/content-format.md. The text is deterministic (seeded PRNG), so
 * every run benchmarks the same document.
 *
 * Constraints of the format that the generator respects: frontmatter fields from the schema; only
 * the job functions of test/fixtures/content (quality-manager, cra); references only to documents
 * of that fixture (QM-001, SOP-TS-001, FRM-TS-001); no curly braces, no raw HTML, no `<` in text.
 */

export const LONG_SOP_ID = "SOP-LG-001";
export const LONG_SOP_PATH = `sops/${LONG_SOP_ID}.mdx`;

export interface LongSopOptions {
  /** Words of body text to reach (the generator stops at the first section boundary past it). */
  targetWords?: number;
  seed?: number;
}

/** mulberry32: a tiny deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACTORS = [
  "The CRA",
  "The monitor",
  "The site coordinator",
  "The principal investigator",
  "The quality manager",
  "The study manager",
  "The data manager",
  "The lead CRA",
  "The pharmacist at the site",
  "The sponsor representative",
];

const ACTIONS = [
  "reviews",
  "verifies",
  "confirms",
  "checks",
  "documents",
  "reconciles",
  "records",
  "follows up",
  "escalates any discrepancy in",
  "cross-checks",
  "signs and dates",
  "files",
];

const OBJECTS = [
  "the signed informed consent forms",
  "the delegation of authority log",
  "subject eligibility against the inclusion and exclusion criteria",
  "the investigational product accountability records",
  "temperature excursion records for the storage area",
  "serious adverse event reports and their follow-up",
  "the investigator site file",
  "open data queries in the electronic data capture system",
  "protocol deviations identified since the previous visit",
  "the screening and enrolment log",
  "laboratory normal ranges and accreditation certificates",
  "the training records of site staff",
  "source documents for the primary endpoint",
  "concomitant medication entries",
  "the monitoring visit report",
  "the follow-up letter to the investigator",
  "corrective actions agreed at the previous visit",
  "the randomisation and code-break records",
  "equipment calibration certificates",
  "essential documents listed in the trial master file index",
];

const TIMINGS = [
  "before the first subject is enrolled",
  "at every routine monitoring visit",
  "within five working days of the visit",
  "within ten working days of the visit",
  "whenever the protocol is amended",
  "before the site is activated",
  "at least once per quarter",
  "as soon as a finding is identified",
  "before the database is locked",
  "during the close-out visit",
  "when a new member of site staff starts work on the trial",
  "each time the monitoring plan requires it",
];

const PURPOSES = [
  "so that open findings are escalated without delay",
  "and records the outcome in the visit report",
  "to confirm that the rights, safety and well-being of subjects are protected",
  "so that the reported data are accurate, complete and verifiable from source",
  "to show that the trial is conducted in compliance with the approved protocol",
  "and agrees a corrective action with the investigator where needed",
  "so that the sponsor can demonstrate oversight of the site",
  "and keeps the evidence in the trial master file",
  "to make sure that nothing is left unresolved at the next visit",
  "and informs the study manager of any important issue",
];

const CONNECTORS = [
  "In addition,",
  "Where this is not possible,",
  "If the site cannot provide the records,",
  "For trials with remote monitoring,",
  "When a risk indicator exceeds its threshold,",
  "As a rule,",
  "For high-risk sites,",
  "Before the visit ends,",
  "After the visit,",
  "In every case,",
];

const RATIONALES = [
  "The monitoring plan sets the extent of source data verification for each data point, based on its importance to subject safety and to the reliability of the results.",
  "Findings are graded as critical, major or minor according to their impact on subjects and on the data, and the grade decides how quickly they are escalated.",
  "A finding that recurs at the same site, or across several sites, is a signal that the root cause has not been addressed and is handled as a quality issue.",
  "Records must be attributable, legible, contemporaneous, original and accurate, and they must remain complete, consistent, enduring and available throughout the retention period.",
  "The investigator remains responsible for the conduct of the trial at the site, including tasks delegated to members of the site team.",
  "Remote review of source documents is allowed only where the site has agreed to it and the confidentiality of subject data is protected.",
  "Any change to a planned visit date is agreed with the site in writing and recorded in the monitoring tracker.",
  "The CRA does not make entries in subject records or in the case report form on behalf of the site.",
  "Issues that could affect the safety of subjects are reported to the study manager on the same working day.",
  "Where electronic systems are used, the CRA confirms that access rights match the delegation log and that former staff no longer have access.",
];

const TOPICS = [
  "Site selection and feasibility",
  "Site initiation visit",
  "Routine monitoring visits",
  "Source data verification",
  "Review of informed consent",
  "Investigational product accountability",
  "Safety reporting oversight",
  "Protocol deviations",
  "Essential documents and the investigator site file",
  "Data queries and data cleaning",
  "Remote and centralised monitoring",
  "Escalation of significant issues",
  "Close-out visit",
  "Oversight of monitoring quality",
  "Monitoring of laboratory and vendor data",
  "Training of site staff",
];

const STEP_TITLES = [
  "Prepare the visit",
  "Confirm the visit with the site",
  "Review the site status",
  "Check consent and eligibility",
  "Verify source data",
  "Review safety information",
  "Check investigational product",
  "Review the investigator site file",
  "Discuss findings with the investigator",
  "Write the visit report",
  "Send the follow-up letter",
  "Track actions to closure",
];

const TERMS: [string, string][] = [
  [
    "Source data",
    "All information in original records and certified copies of original records of clinical findings, observations or other activities in a clinical trial necessary for the reconstruction and evaluation of the trial.",
  ],
  [
    "Source data verification",
    "The comparison of data in the case report form with the source documents, to confirm that the data are complete, accurate and verifiable.",
  ],
  ["Monitoring plan", "The trial-specific document that describes the strategy, methods, responsibilities and requirements for monitoring the trial."],
  ["Protocol deviation", "Any change, divergence or departure from the study design or procedures defined in the protocol."],
  [
    "Critical finding",
    "A finding that adversely affects, or could adversely affect, the rights, safety or well-being of subjects or the quality and integrity of the data.",
  ],
  ["Investigator site file", "The part of the trial master file held at the site, containing the essential documents the investigator must keep."],
  ["Centralised monitoring", "The remote evaluation of accumulating data, performed in a timely manner and supported by appropriately qualified persons."],
  ["Key risk indicator", "A measure, with a threshold, that signals when a site or a process may need closer attention."],
];

export function generateLongSop(options: LongSopOptions = {}): string {
  const targetWords = options.targetWords ?? 10_000;
  const random = prng(options.seed ?? 20_250_203);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

  const sentence = (): string => {
    const core = `${pick(ACTORS)} ${pick(ACTIONS)} ${pick(OBJECTS)} ${pick(TIMINGS)}`;
    const r = random();
    if (r < 0.45) return `${core}, ${pick(PURPOSES)}.`;
    if (r < 0.65) return `${pick(CONNECTORS)} ${lowerFirst(core)}.`;
    if (r < 0.85) return pick(RATIONALES);
    return `${core}; the outcome is recorded on [the visit report form](/documents/FRM-TS-001).`;
  };
  const paragraph = (min = 3, max = 6): string => {
    const sentences: string[] = [];
    for (let i = between(min, max); i > 0; i--) sentences.push(sentence());
    let text = sentences.join(" ");
    // Some inline emphasis, as real procedures have.
    if (random() < 0.3) text = text.replace(/\b(must|does not|same working day|in writing)\b/, "**$1**");
    return text;
  };
  const bullets = (n: number): string => Array.from({ length: n }, () => `- ${capitalise(pick(OBJECTS))}, ${pick(TIMINGS)};`).join("\n");

  const blocks: string[] = [];
  const push = (...parts: string[]) => blocks.push(...parts);

  push(
    "## Purpose",
    `This procedure describes how the Company plans, performs, reports and follows up the monitoring of investigator sites in clinical trials, in line with the quality manual <DocRef id="QM-001" /> and the short procedure <DocRef id="SOP-TS-001" />. ${paragraph(3, 4)}`,
    "## Scope",
    paragraph(3, 5),
    "This procedure applies to:",
    bullets(6),
    "## Definitions",
  );
  for (const [term, meaning] of TERMS) {
    push(`<Definition term="${term}">`, meaning, "</Definition>");
  }
  push(
    "## Responsibilities",
    "<Responsibilities>",
    '<Responsibility role="quality-manager">',
    `Owns this procedure, approves the monitoring plan template and audits monitoring quality. ${paragraph(2, 3)}`,
    "</Responsibility>",
    '<Responsibility role="cra">',
    `Performs monitoring visits, writes visit reports and follows up findings to closure. ${paragraph(2, 3)}`,
    "</Responsibility>",
    "</Responsibilities>",
  );

  const words = () => countWords(blocks.join("\n"));
  let section = 0;
  // Leave room for the closing sections (records, indicators, references: ~600 words).
  while (words() < targetWords - 600) {
    const base = TOPICS[section % TOPICS.length]!;
    const topic = section < TOPICS.length ? base : `${base}: additional controls ${Math.floor(section / TOPICS.length) + 1}`;
    section++;
    push(`## ${section}. ${topic}`, paragraph(4, 6), paragraph(3, 5));

    push(`### ${section}.1 Procedure`, "<Steps>");
    const steps = between(4, 6);
    const offset = between(0, STEP_TITLES.length - 1);
    for (let s = 0; s < steps; s++) {
      const title = STEP_TITLES[(offset + s) % STEP_TITLES.length]!;
      const owner = random() < 0.75 ? ' owner="cra"' : random() < 0.5 ? ' owner="quality-manager"' : "";
      push(`<Step title="${title}"${owner}>`, paragraph(2, 4));
      if (random() < 0.3) push(bullets(between(2, 4)));
      push("</Step>");
    }
    // Steps may only contain Step elements: join the block so no blank lines sit between them.
    const open = blocks.lastIndexOf("<Steps>");
    const stepsBlock = blocks
      .splice(open)
      .join("\n\n")
      .replace(/<\/Step>\n\n<Step/g, "</Step>\n<Step");
    push(`${stepsBlock}\n</Steps>`);

    if (random() < 0.6) {
      const kind = pick(["note", "warning", "regulatory"] as const);
      const title = kind === "regulatory" ? ' title="ICH E6(R3)"' : "";
      push(`<Callout kind="${kind}"${title}>`, paragraph(2, 3), "</Callout>");
    }

    push(`### ${section}.2 Timelines and acceptance criteria`, paragraph(2, 4));
    if (random() < 0.7) {
      const rows = between(4, 7);
      const table = ["| Activity | Responsible | Timeline | Acceptance criterion |", "|---|---|---|---|"];
      for (let r = 0; r < rows; r++) {
        table.push(
          `| ${capitalise(pick(OBJECTS))} | ${pick(["CRA", "Lead CRA", "Quality manager", "Study manager"])} | ${capitalise(pick(TIMINGS))} | ${pick(["100% verified", "No open critical findings", "All queries answered", "Signed and dated", "Reconciled without discrepancy", "At least 95% complete"])} |`,
        );
      }
      push(table.join("\n"));
    }
    push(`### ${section}.3 Common findings`, paragraph(2, 3), bullets(between(3, 5)), paragraph(2, 3));
  }

  push(
    "## Records",
    "<RecordsTable>",
    '<Record name="Monitoring visit report" retention="25 years after trial end" location="eTMF">',
    "Signed by the CRA and reviewed by the lead CRA.",
    "</Record>",
    '<Record name="Follow-up letter" retention="25 years after trial end" location="eTMF">',
    "Sent to the investigator within the timeline of this procedure.",
    "</Record>",
    '<Record name="Monitoring tracker" retention="25 years after trial end" location="Clinical trial management system">',
    "Kept current after every visit.",
    "</Record>",
    "</RecordsTable>",
  );
  const rsb = blocks.lastIndexOf("<RecordsTable>");
  const recordsBlock = blocks
    .splice(rsb)
    .join("\n\n")
    .replace(/<\/Record>\n\n<Record/g, "</Record>\n<Record");
  push(recordsBlock);

  push(
    "## Key indicators",
    "| Indicator | Target | Frequency |\n|---|---|---|\n| Visit reports finalised on time | at least 90% | Monthly |\n| Critical findings escalated the same working day | 100% | Monthly |\n| Follow-up letters sent on time | at least 95% | Monthly |\n| Actions closed by the agreed date | at least 85% | Quarterly |",
    "## References",
    `- <DocRef id="QM-001" />, the quality manual;\n- <DocRef id="SOP-TS-001" />, the short monitoring procedure;\n- [The visit report form](/documents/FRM-TS-001);\n- ICH E6(R3), Good Clinical Practice.`,
    paragraph(3, 4),
  );

  const frontmatter = [
    "---",
    `id: ${LONG_SOP_ID}`,
    "title: Monitoring of Investigator Sites (long benchmark procedure)",
    "type: sop",
    "owner: quality-manager",
    "audience:",
    "  - cra",
    "  - quality-manager",
    "training: required",
    "reviewIntervalMonths: 24",
    "summary: How investigator sites are monitored from selection to close-out; a long procedure used to benchmark document pages.",
    "related:",
    "  - QM-001",
    "  - SOP-TS-001",
    "  - FRM-TS-001",
    "---",
  ].join("\n");
  return `${frontmatter}\n\n${blocks.join("\n\n")}\n`;
}

/** Words of a document body: runs of letters or digits, markup excluded. */
export function countWords(text: string): number {
  const body = text
    .replace(/^---[\s\S]*?\n---\n/, "")
    .replace(/<[^>]*>/g, " ")
    .replace(/\]\([^)]*\)/g, "]");
  return body.match(/[A-Za-z0-9][A-Za-z0-9'’-]*/g)?.length ?? 0;
}

function lowerFirst(s: string): string {
  return s.startsWith("The ") ? `the ${s.slice(4)}` : s;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
