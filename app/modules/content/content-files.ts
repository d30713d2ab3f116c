// What a content file is and which files are documents: no parser here, so the repository gateway and
// read-only commands load without the MDX toolchain.

export const JOB_FUNCTIONS_FILE = "job-functions.yaml";

/** A content file as read from a folder or a commit: its path relative to the content root. */
export interface SourceFile {
  path: string;
  source: string;
}

/** A document is an .mdx file outside hidden or underscore folders (.demo/ holds the demo's older texts). */
export function isDocumentPath(relativePath: string): boolean {
  return relativePath.endsWith(".mdx") && !relativePath.split("/").some((part) => /^[._]/.test(part));
}
