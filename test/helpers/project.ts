import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

/** The fixture project: a `.claude` tree with nested folders and every frontmatter quirk. */
export const projectFixture = fileURLToPath(new URL('../fixtures/project-claude', import.meta.url));

/** `project(files)` makes a project directory holding `files` (paths relative to it), removed after each test. */
export function useScratchProjects(): (files: Record<string, string>) => Promise<string> {
  const scratch: string[] = [];
  afterEach(async () => {
    await Promise.all(scratch.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async (files) => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-project-'));
    scratch.push(dir);
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    return dir;
  };
}
