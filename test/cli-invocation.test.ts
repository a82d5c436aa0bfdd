import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invocationFor, withInvocation } from '../src/cli/invocation.ts';
import { scratchDir } from './helpers/agents.ts';
import { cliEnvironment, runBaton } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';

const launcher = fileURLToPath(new URL('../bin/baton.js', import.meta.url));

describe('how hints name the baton command', () => {
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  let linked: string; // a bin directory as `npm link` leaves it: `baton` → this install's launcher
  let shims: string; // a node_modules/.bin, which is on the PATH only while npm runs something
  let other: string; // another install's `baton`
  let empty: string;
  beforeAll(async () => {
    dir = await scratchDir('cli-invocation');
    linked = join(dir.path, 'global', 'bin');
    shims = join(dir.path, 'project', 'node_modules', '.bin');
    other = join(dir.path, 'other', 'bin');
    empty = join(dir.path, 'empty');
    for (const folder of [linked, shims, other, empty]) await mkdir(folder, { recursive: true });
    await symlink(launcher, join(linked, 'baton'));
    await symlink(launcher, join(shims, 'baton'));
    await writeFile(join(other, 'baton'), '#!/bin/sh\necho another baton\n');
    await chmod(join(other, 'baton'), 0o755);
  });
  afterAll(async () => {
    await dir.remove();
  });
  const path = (...dirs: string[]) => dirs.join(delimiter);

  it('is `baton` when the first baton on the PATH is this install (npm link, a global install)', () => {
    expect(invocationFor({ path: path(empty, linked), npmCommand: undefined, launcher })).toBe('baton');
    // A shim earlier on the PATH is skipped: the shell the person returns to does not have it.
    expect(invocationFor({ path: path(shims, linked), npmCommand: undefined, launcher })).toBe('baton');
  });

  it('is `npx baton` after `npm ci` alone, under npx, or when another baton comes first', () => {
    expect(invocationFor({ path: path(empty), npmCommand: undefined, launcher })).toBe('npx baton');
    expect(invocationFor({ path: undefined, npmCommand: undefined, launcher })).toBe('npx baton');
    expect(invocationFor({ path: path(shims), npmCommand: undefined, launcher })).toBe('npx baton');
    expect(invocationFor({ path: path(linked), npmCommand: 'exec', launcher })).toBe('npx baton');
    expect(invocationFor({ path: path(other, linked), npmCommand: undefined, launcher })).toBe('npx baton');
    // A directory named baton is not a command.
    expect(invocationFor({ path: path(dir.path), npmCommand: undefined, launcher })).toBe('npx baton');
  });

  it('rewrites the backquoted commands of a message, and nothing else', () => {
    const message =
      'No ADW 1234: list them with `baton adw ls`; a running `baton up` or `baton` alone; baton is fine.';
    expect(withInvocation(message, 'npx baton')).toBe(
      'No ADW 1234: list them with `npx baton adw ls`; a running `npx baton up` or `npx baton` alone; baton is fine.',
    );
    expect(withInvocation(message, 'baton')).toBe(message);
  });

  describe('in what the real executable prints', () => {
    const db = useTestDatabase();
    const unknownAdw = async (PATH: string) =>
      runBaton(['adw', 'show', '0b5e8f3c'], cliEnvironment({ PATH, DATABASE_URL: db.current.url }));
    // The system's directories (no `baton` there), not the developer's PATH, which may hold one.
    const system = path('/usr/local/bin', '/usr/bin', '/bin');

    it('says `npx baton …` when baton is not on the PATH, and `baton …` after npm link', async () => {
      const bare = await unknownAdw(path(shims, system));
      expect(bare.code).toBe(2);
      expect(bare.stderr).toContain('list them with `npx baton adw ls`');
      const afterLink = await unknownAdw(path(linked, system));
      expect(afterLink.code).toBe(2);
      expect(afterLink.stderr).toContain('list them with `baton adw ls`');
      expect(afterLink.stderr).not.toContain('npx');
    });
  });
});
