// What a content file is and which files are documents or quizzes: no parser here, so the repository
// gateway and read-only commands load without the MDX toolchain.

export const JOB_FUNCTIONS_FILE = "job-functions.yaml";

/** A content file as read from a folder or a commit: its path relative to the content root. */
export interface SourceFile {
  path: string;
  source: string;
}

/** A quiz (knowledge check) sits beside its document: sops/SOP-DM-001.quiz.yaml beside sops/SOP-DM-001.mdx. */
export const QUIZ_SUFFIX = ".quiz.yaml";

const DOCUMENT_SUFFIX = ".mdx";

/** True for a path inside a hidden or underscore folder (or a hidden file), which is not controlled content. */
function isHidden(relativePath: string): boolean {
  return relativePath.split("/").some((part) => /^[._]/.test(part));
}

/** A document is an .mdx file outside hidden or underscore folders (.demo/ holds the demo's older texts). */
export function isDocumentPath(relativePath: string): boolean {
  return relativePath.endsWith(DOCUMENT_SUFFIX) && !isHidden(relativePath);
}

/** A quiz is a `<DOC-ID>.quiz.yaml` file outside hidden or underscore folders, versioned with its document. */
export function isQuizPath(relativePath: string): boolean {
  // A bare `.quiz.yaml` names no document; it is a hidden file like any name starting with a dot.
  return relativePath.endsWith(QUIZ_SUFFIX) && !isHidden(relativePath);
}

/** The quiz file of a document: `sops/SOP-DM-001.mdx` -> `sops/SOP-DM-001.quiz.yaml`. */
export function quizPathFor(docPath: string): string {
  if (!docPath.endsWith(DOCUMENT_SUFFIX)) throw new Error(`${docPath} is not a document path (*.mdx)`);
  return docPath.slice(0, -DOCUMENT_SUFFIX.length) + QUIZ_SUFFIX;
}

/** The document a quiz file belongs to: `sops/SOP-DM-001.quiz.yaml` -> `sops/SOP-DM-001.mdx`. */
export function documentPathForQuiz(quizPath: string): string {
  if (!quizPath.endsWith(QUIZ_SUFFIX)) throw new Error(`${quizPath} is not a quiz path (*${QUIZ_SUFFIX})`);
  return quizPath.slice(0, -QUIZ_SUFFIX.length) + DOCUMENT_SUFFIX;
}
