/**
 * The environment every process a test starts (server, CLI) takes from the test runner: PATH and HOME
 * to find git and the like, and the suite's scrypt cost (vitest.config.ts), so that its sign-ins and
 * signatures hash at the same cost as the template data folders were made with.
 */
export function childEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" };
  if (process.env.QUIRE_SCRYPT_COST) env.QUIRE_SCRYPT_COST = process.env.QUIRE_SCRYPT_COST;
  return env;
}
