import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../core/errors.ts';

/** Where the server's access token lives: readable by its owner only. */
export function tokenPath(home: string): string {
  return join(home, 'server-token');
}

/**
 * The server's access token: read from BATON_HOME, or created there on first start (mode 0600, written
 * with O_EXCL so two servers starting at once agree on one). A token file others can read is tightened.
 */
export async function loadOrCreateToken(home: string): Promise<string> {
  const path = tokenPath(home);
  try {
    const handle = await open(path, 'wx', 0o600);
    const token = randomBytes(32).toString('base64url');
    await handle.writeFile(`${token}\n`);
    await handle.close();
    return token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  const token = (await readFile(path, 'utf8')).trim();
  if (!/^[A-Za-z0-9_-]{32,}$/.test(token)) {
    throw new UserError(`${path} does not hold a baton access token: delete it and start baton again.`, {
      code: 'config',
    });
  }
  return token;
}

/** Compares in constant time, so the token cannot be guessed a character at a time. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
