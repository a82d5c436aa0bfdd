import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { NotFoundError } from '../../core/errors.ts';
import type { AdwRow, AdwStepRow } from '../../db/adws.ts';

/** The most of an artifact that is read and sent; a longer file comes back cut, and says so. */
export const artifactReadLimitBytes = 1024 * 1024;

export interface ArtifactFile {
  /** As the engine recorded it: relative to the ADW's working directory (its worktree). */
  path: string;
  content: string;
  /** The file's size on disk. */
  bytes: number;
  /** Only the first `artifactReadLimitBytes` are in `content`. */
  truncated: boolean;
}

/**
 * The artifact a step left (spec, review report, fix report), read from the one path the engine
 * recorded for that step, inside the directory the ADW's steps ran in. Nothing of a request chooses the
 * file: a recorded path that leaves the directory (`..`, absolute, a symlink pointing out) is refused as
 * if absent, and only a regular file is opened.
 */
export async function readStepArtifact(
  adw: Pick<AdwRow, 'id' | 'inputs'>,
  step: Pick<AdwStepRow, 'position' | 'name' | 'iteration' | 'artifact_path' | 'status'>,
  limitBytes = artifactReadLimitBytes,
): Promise<ArtifactFile> {
  const label = step.iteration > 1 ? `${step.name} #${step.iteration}` : step.name;
  const recorded = step.artifact_path;
  if (!recorded)
    throw new NotFoundError(
      `Step ${step.position} (${label}) of ADW ${adw.id} has no artifact recorded (it is ${step.status}; ` +
        'a step records its artifact when it succeeds, and only plan, review, fix and test steps write one).',
    );
  const base = adw.inputs.cwd;
  const missing = (why: string) =>
    new NotFoundError(`The artifact of step ${step.position} (${label}), ${recorded}, ${why}.`);
  if (isAbsolute(recorded)) throw missing('is not inside the ADW’s working directory');
  let realBase: string;
  let realFile: string;
  try {
    realBase = await realpath(base);
    realFile = await realpath(resolve(base, recorded));
  } catch {
    throw missing(`is no longer on disk (looked in ${base})`);
  }
  const inside = relative(realBase, realFile);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside))
    throw missing('is not inside the ADW’s working directory');

  const handle = await open(realFile, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => {
    throw missing(`is no longer on disk (looked in ${base})`);
  });
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw missing('is not a file');
    const length = Math.min(stat.size, limitBytes);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return {
      path: recorded,
      content: buffer.subarray(0, bytesRead).toString('utf8'),
      bytes: stat.size,
      truncated: stat.size > bytesRead,
    };
  } finally {
    await handle.close();
  }
}
