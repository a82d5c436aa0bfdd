import { lstat } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import type { Claim } from './claims.ts';
import { expertsFolder } from './domain.ts';
import { git, lines } from './git.ts';

/** A claim the code does not bear out, with why, worded for the agent's follow-up. */
export interface StaleClaim extends Claim {
  reason: string;
}

/**
 * Checks claims against the project in `cwd` (its work tree, untracked files included: an ADW's build
 * is checked before it is committed). A path must name a file or folder inside the project (a bare file
 * name may be anywhere in it); a symbol must occur as a whole word in some file other than the experts'
 * own (`git grep -F -w`, one search for all symbols, so a large repository is read once).
 */
export async function checkClaims(cwd: string, claims: readonly Claim[]): Promise<StaleClaim[]> {
  const stale: StaleClaim[] = [];
  const paths = claims.filter((claim) => claim.kind === 'path');
  const symbols = claims.filter((claim) => claim.kind === 'symbol');
  let files: Set<string> | undefined;
  const baseNames = async () => {
    if (!files) {
      const listed = await git(cwd, ['ls-files', '--cached', '--others', '--exclude-standard']);
      files = new Set(lines(listed.stdout).map((file) => file.split('/').at(-1)!));
    }
    return files;
  };
  for (const claim of paths) {
    const target = normalize(claim.target);
    if (isAbsolute(target) || target === '..' || target.startsWith(`..${sep}`)) {
      stale.push({ ...claim, reason: 'the path is outside the project; name files relative to its root' });
    } else if (!(await exists(join(cwd, target)))) {
      const bare = !claim.target.includes('/');
      if (!bare || !(await baseNames()).has(claim.target)) {
        stale.push({ ...claim, reason: 'no such file in the project' });
      }
    }
  }
  if (symbols.length > 0) {
    const found = await foundWords(
      cwd,
      symbols.map((claim) => claim.target),
    );
    for (const claim of symbols) {
      if (!found.has(claim.target)) stale.push({ ...claim, reason: 'not found in the code (git grep)' });
    }
  }
  return stale;
}

async function foundWords(cwd: string, words: string[]): Promise<Set<string>> {
  const unique = [...new Set(words)];
  const result = await git(
    cwd,
    [
      'grep',
      '--untracked',
      '-I',
      '-F',
      '-w',
      '-o',
      '-h',
      '--no-color',
      '-f',
      '-',
      '--',
      '.',
      `:(exclude)${expertsFolder}`,
    ],
    `${unique.join('\n')}\n`,
  );
  if (result.code > 1) throw new Error(`git grep failed in ${cwd}: ${result.stderr.trim()}`);
  return new Set(lines(result.stdout));
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
