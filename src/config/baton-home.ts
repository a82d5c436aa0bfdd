import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UserError, describeError } from '../core/errors.ts';

/**
 * Creates BATON_HOME if needed and checks that baton can write there, so a bad BATON_HOME fails at once
 * with a UserError that names it, before anything starts inside it.
 */
export async function ensureBatonHome(home: string): Promise<void> {
  try {
    await createDirectory(home);
    await access(home, constants.W_OK | constants.X_OK);
  } catch (error) {
    const reason =
      error instanceof NotADirectoryError ? `${error.path} is a file, not a directory` : describeError(error);
    throw new UserError(
      `BATON_HOME (${home}) cannot be used as baton's data directory: ${reason}. ` +
        'Set BATON_HOME to a directory baton can create and write to (unset, it is ~/.baton).',
      { cause: error, code: 'config' },
    );
  }
}

class NotADirectoryError extends Error {
  constructor(readonly path: string) {
    super(`${path} is not a directory`);
  }
}

/**
 * `mkdir -p`, one level at a time. Node's `mkdir(path, { recursive: true })` never returns when a parent
 * exists but refuses to hold the child with ENOENT (any path under /proc): it goes back and forth between
 * the two forever. Here such an ENOENT is final.
 */
async function createDirectory(path: string): Promise<void> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    // ENOTDIR: some parent is a file; walking up finds which one.
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  });
  if (info) {
    if (!info.isDirectory()) throw new NotADirectoryError(path);
    return;
  }
  const parent = dirname(path);
  if (parent !== path) await createDirectory(parent);
  await mkdir(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}
