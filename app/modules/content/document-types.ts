/** Document types: shared by the validator, the server and the browser (kept free of heavy imports). */
export const DOCUMENT_TYPES = ["manual", "policy", "sop", "work-instruction", "form"] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** The folder each type lives in, so a file's place tells its type at a glance. */
export const TYPE_FOLDERS: Record<DocumentType, string> = {
  manual: "manual",
  policy: "policies",
  sop: "sops",
  "work-instruction": "work-instructions",
  form: "forms",
};

export const TYPE_LABELS: Record<DocumentType, string> = {
  manual: "Manual",
  policy: "Policy",
  sop: "SOP",
  "work-instruction": "Work instruction",
  form: "Form",
};

