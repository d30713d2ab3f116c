import type { ZxcvbnFactory } from "@zxcvbn-ts/core";

import { passwordProblems } from "./passwords";

/*
 * Part 11 §11.300: controls that keep passwords from being guessed. Length alone lets through
 * "password1234" and "aaaaaaaaaaaa"; zxcvbn estimates how many guesses a password takes against
 * lists of common passwords, English words and names, keyboard runs, repeats, dates and the
 * person's own details, and says why a weak one is weak.
 *
 * This file is `.server` only to keep zxcvbn's dictionaries (megabytes) out of the browser bundle.
 */

/**
 * The least zxcvbn score accepted: 3, "safely unguessable" (an estimated 10^8 to 10^10 guesses;
 * 4 is 10^10 or more). Online, the lockout allows at most five guesses per lockout period
 * (QUIRE_LOCKOUT_MINUTES), about 240 a day at the default 30 minutes: 10^8 guesses take over a
 * thousand years. Offline, should the hashes ever leak (a backup), each guess costs a 32 MiB scrypt,
 * the "slow hash" case for which zxcvbn rates 3 as moderate protection. Score 2 (under 10^8) is
 * meant only for throttled online attack and lets "Password2026!" through; 4 refuses ordinary
 * short sentences people remember, pushing them to write passwords down.
 */
export const MIN_PASSWORD_SCORE = 3;

/**
 * Only this many leading characters are judged: the estimate's cost grows steeply with length
 * (a 256-character repeat took 2.5 s here), and 64 characters that are not one long repeat are
 * beyond guessing anyway.
 */
const JUDGED_LENGTH = 64;

let estimator: Promise<ZxcvbnFactory> | null = null;

/**
 * Loaded and built on first use, then shared. The dictionaries are decompressed as their packages
 * load (about 0.35 s of every server and CLI start when imported up front) and ranked when built
 * (about 0.4 s); only choosing a password needs them.
 */
function zxcvbn(): Promise<ZxcvbnFactory> {
  estimator ??= Promise.all([import("@zxcvbn-ts/core"), import("@zxcvbn-ts/language-common"), import("@zxcvbn-ts/language-en")]).then(
    ([core, common, english]) =>
      new core.ZxcvbnFactory({
        translations: english.translations,
        graphs: common.adjacencyGraphs,
        dictionary: { ...common.dictionary, ...english.dictionary },
        maxLength: JUDGED_LENGTH,
      }),
  );
  return estimator;
}

/** Whose password it is: their own name, user name and email make weak passwords too. */
export interface PasswordOwner {
  username: string;
  displayName: string;
  email: string;
}

/** The words zxcvbn treats as known to an attacker: the person's details and the product's name. */
function userInputs(owner: PasswordOwner): string[] {
  const words = [owner.username, owner.displayName, owner.email, owner.email.split("@")[0] ?? "", "quire"];
  for (const part of `${owner.displayName} ${owner.username}`.split(/[\s._-]+/)) words.push(part);
  return [...new Set(words.map((w) => w.trim().toLowerCase()).filter((w) => w.length >= 2))];
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * Why a password is too easy to guess, as the end of a sentence starting "The password ...", with
 * zxcvbn's own warning and suggestions; null when its score reaches MIN_PASSWORD_SCORE.
 */
export async function guessabilityProblem(password: string, owner: PasswordOwner): Promise<string | null> {
  const result = (await zxcvbn()).check(password, userInputs(owner));
  if (result.score >= MIN_PASSWORD_SCORE) return null;
  const warning = result.feedback.warning;
  const why = warning ? `: ${warning.charAt(0).toLowerCase()}${warning.slice(1)}` : "";
  const suggestions = result.feedback.suggestions.length > 0 ? result.feedback.suggestions : ["Use a few unrelated words, or a short sentence of your own."];
  return [sentence(`is too easy to guess${why}`), ...suggestions.map(sentence)].join(" ");
}

/**
 * Everything wrong with a proposed password except reuse (which needs the stored hashes), as one
 * message starting with `subject`, or null. Length and user name come first: a password too short
 * is refused for that alone, without a guessability lecture on top.
 */
export async function passwordRefusal(password: string, owner: PasswordOwner, subject = "The password"): Promise<string | null> {
  const problems = passwordProblems(password, owner.username);
  if (problems.length > 0) return `${subject} ${problems.join(" and ")}.`;
  const weak = await guessabilityProblem(password, owner);
  return weak ? `${subject} ${weak}` : null;
}
