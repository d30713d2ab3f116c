/** Password rules, enforced on the server (Part 11 §11.300: controls for identification codes and passwords). */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_HISTORY = 5;
export const MAX_FAILED_SIGNINS = 5;

/** Problems with a proposed password, other than reuse (which needs the stored hashes). */
export function passwordProblems(password: string, username: string): string[] {
  const problems: string[] = [];
  if (password.length < PASSWORD_MIN_LENGTH) problems.push(`must be at least ${PASSWORD_MIN_LENGTH} characters long`);
  if (password.trim().toLowerCase() === username.trim().toLowerCase()) problems.push("must not be the user name");
  return problems;
}
