import { plural } from '../core/plural.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { extractClaims } from './claims.ts';
import { checkClaims, type StaleClaim } from './check-claims.ts';
import { normalizedExpertise, parseExpertise, type Expertise } from './expertise.ts';

/** Why an expertise file cannot be kept as it is. */
export type ExpertiseProblem = 'missing' | 'invalid_yaml' | 'over_limit';

export type ExpertiseCheck =
  | { ok: false; problem: ExpertiseProblem; message: string; lines?: number; text?: string }
  | {
      ok: true;
      text: string;
      expertise: Expertise;
      /** The canonical form `--until-stable` compares. */
      normalized: string;
      claims: number;
      stale: StaleClaim[];
    };

/**
 * baton's own check of an expertise file, made after every self-improve round: it must exist, parse as
 * one YAML mapping, stay within `maxLines`, and its claims (paths and symbols) must hold in the code.
 * The first two failures mean the file cannot be kept; stale claims are reported and the file is kept.
 */
export async function checkExpertiseFile(
  cwd: string,
  path: string,
  maxLines: number,
): Promise<ExpertiseCheck> {
  const text = await readFile(join(cwd, path), 'utf8').catch(() => undefined);
  if (text === undefined) return { ok: false, problem: 'missing', message: `${path} does not exist.` };
  return checkExpertiseText(cwd, path, text, maxLines);
}

export async function checkExpertiseText(
  cwd: string,
  path: string,
  text: string,
  maxLines: number,
): Promise<ExpertiseCheck> {
  const parsed = parseExpertise(text);
  if (!parsed.ok) {
    return {
      ok: false,
      problem: 'invalid_yaml',
      message: `${path} is not valid YAML: ${parsed.error}`,
      text,
    };
  }
  const { lines } = parsed.value;
  if (lines > maxLines) {
    return {
      ok: false,
      problem: 'over_limit',
      message: `${path} has ${lines} lines, over its limit of ${maxLines} (MAX_LINES).`,
      lines,
      text,
    };
  }
  const claims = extractClaims(parsed.value.value);
  const stale = await checkClaims(cwd, claims);
  return {
    ok: true,
    text,
    expertise: parsed.value,
    normalized: normalizedExpertise(parsed.value.value),
    claims: claims.length,
    stale,
  };
}

/** The follow-up that tells the agent what baton found, in the same session. */
export function followUpFor(
  path: string,
  check: ExpertiseCheck,
  maxLines: number,
  restored: boolean,
): string | undefined {
  if (!check.ok) {
    switch (check.problem) {
      case 'missing':
        return `baton checked the expertise: ${check.message} Write ${path} now (one YAML mapping, at most ${maxLines} lines), then stop.`;
      case 'invalid_yaml':
        return (
          `baton checked the expertise: ${check.message}\n\n` +
          (restored
            ? `baton restored the last good version of ${path}, so the invalid file is gone. `
            : `baton removed the invalid file. `) +
          `Apply your update again as valid YAML (quote strings that contain ": " or start with a special character), then stop.`
        );
      case 'over_limit':
        return (
          `baton checked the expertise: ${check.message} Trim ${path} to at most ${maxLines} lines: ` +
          'drop the least critical content first (long descriptions, minor details), keep it valid YAML, check with `wc -l`, then stop.'
        );
    }
  }
  if (check.stale.length === 0) return undefined;
  const list = check.stale.map(
    (claim) => `- ${claim.kind} \`${claim.text}\` at ${claim.at}: ${claim.reason}`,
  );
  return (
    `baton checked the expertise against the code and found ${plural(check.stale.length, 'stale claim')}:\n` +
    `${list.join('\n')}\n\n` +
    `Look each one up in the code (Glob, Grep), then correct or remove it in ${path} (paths relative to the project root, symbols as they are named in the code), then stop.`
  );
}
