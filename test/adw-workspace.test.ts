import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.ts';
import { createSampleRepository } from '../src/demo/sample-repo.ts';
import { commitWorkspace, prepareWorkspace, removeWorkspace } from '../src/services/adws/workspace.ts';
import { scratchDir } from './helpers/agents.ts';
import { writeFile } from 'node:fs/promises';

describe('ADW workspaces', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0)) await step();
  });

  it('creates 40 worktrees on one repository at once, each on its own branch', async () => {
    const home = await scratchDir('worktrees');
    cleanup.push(home.remove);
    const repo = await createSampleRepository(home.path);
    const worktreesRoot = join(home.path, 'worktrees');
    const workspaces = await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        prepareWorkspace(repo, { adwId: newId(), slug: `task-${n}`, inPlace: false, worktreesRoot }),
      ),
    );
    const listed = execFileSync('git', ['worktree', 'list', '--porcelain'], { cwd: repo, encoding: 'utf8' });
    for (const workspace of workspaces) {
      expect(listed).toContain(`worktree ${workspace.worktreePath}`);
      expect(listed).toContain(`branch refs/heads/${workspace.branch}`);
    }
    expect(new Set(workspaces.map((workspace) => workspace.branch)).size).toBe(40);
    // And removed again at once (an ADW that could not be recorded leaves nothing behind).
    await Promise.all(workspaces.map((workspace) => removeWorkspace(repo, workspace)));
    expect(execFileSync('git', ['branch', '--list', 'adw/*'], { cwd: repo, encoding: 'utf8' })).toBe('');
  });

  it('commits the work once: committing again after a rolled-back try finds the same commit', async () => {
    const home = await scratchDir('commit');
    cleanup.push(home.remove);
    const repo = await createSampleRepository(home.path);
    const workspace = await prepareWorkspace(repo, {
      adwId: newId(),
      slug: 'commit',
      inPlace: false,
      worktreesRoot: join(home.path, 'worktrees'),
    });
    await writeFile(join(workspace.worktreePath!, 'new.txt'), 'new\n');
    const first = await commitWorkspace(workspace.worktreePath!, 'ADW work', workspace.baseCommit);
    const again = await commitWorkspace(workspace.worktreePath!, 'ADW work', workspace.baseCommit);
    expect(first).toMatch(/^[0-9a-f]{40}$/);
    expect(again).toBe(first);
    const untouched = await prepareWorkspace(repo, {
      adwId: newId(),
      slug: 'nothing',
      inPlace: false,
      worktreesRoot: join(home.path, 'worktrees'),
    });
    expect(await commitWorkspace(untouched.worktreePath!, 'ADW work', untouched.baseCommit)).toBeUndefined();
  });
});
