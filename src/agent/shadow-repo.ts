import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { git } from './git.ts';

/**
 * Patterns no snapshot should hash, written to the shadow's `info/exclude`. They matter most for
 * directories that are not git repositories and so have no `.gitignore`. `dist/` and `build/` stay
 * in: agents do edit them on purpose. Changing this list only affects shadows created afterwards.
 */
const defaultExcludes = ['node_modules/', '.venv/', '__pycache__/', '.DS_Store'];

/** Temporary index files start with this, so stale ones from a crashed process can be found. */
export const tempIndexPrefix = 'baton-index-';

/** The index file kept as a stat cache between runs. */
export const sharedIndexName = 'shared-index';

/**
 * Where batons that recorded nested repositories as gitlinks kept the shared index. Such an index
 * would keep them gitlinks (git adds no warning for a gitlink it already has), so it is deleted.
 */
const legacySharedIndexName = 'index';

const staleAfterMs = 2 * 24 * 60 * 60 * 1000;

/**
 * Returns the shadow git directory for `workTree` (a real path): `<snapshotsRoot>/<sha1>.git`,
 * created on first use. It holds only objects and a shared index used as a stat cache; it has no
 * refs and never touches the work tree's own `.git`. Safe to call from concurrent runs.
 */
export async function openShadowRepo(workTree: string, snapshotsRootPath: string): Promise<string> {
  const snapshotsRoot = resolve(snapshotsRootPath);
  const gitDir = join(snapshotsRoot, `${createHash('sha1').update(workTree).digest('hex')}.git`);
  if (existsSync(join(gitDir, 'HEAD'))) {
    await removeStaleIndexes(gitDir);
    return gitDir;
  }
  await mkdir(snapshotsRoot, { recursive: true });
  // Build it under another name and rename it into place, so a concurrent run never sees half a repository.
  const staging = `${gitDir}.init-${randomUUID()}`;
  try {
    await git(['init', '--bare', '--quiet', '--template=', staging], { cwd: snapshotsRoot });
    await mkdir(join(staging, 'info'), { recursive: true });
    await writeFile(join(staging, 'info', 'exclude'), defaultExcludes.join('\n') + '\n');
    // For a person looking at the snapshots directory: which directory this shadow belongs to.
    await writeFile(join(staging, 'baton-work-tree'), workTree + '\n');
    await rename(staging, gitDir);
  } catch (error) {
    // Another run created it first: use theirs.
    if (!existsSync(join(gitDir, 'HEAD'))) throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return gitDir;
}

/**
 * Deletes temporary index files a killed process left behind, and a legacy shared index. Best
 * effort: a failure only costs disk.
 */
async function removeStaleIndexes(gitDir: string): Promise<void> {
  try {
    const now = Date.now();
    for (const name of await readdir(gitDir)) {
      const path = join(gitDir, name);
      if (name === legacySharedIndexName) await rm(path, { force: true });
      if (!name.startsWith(tempIndexPrefix)) continue;
      const info = await stat(path).catch(() => undefined);
      if (info && now - info.mtimeMs > staleAfterMs) await rm(path, { force: true });
    }
  } catch {
    // Nothing to do: the shadow still works with a few stray files in it.
  }
}
