import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listFileChanges } from '../src/db/file-changes.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import { scratchDir } from './helpers/agents.ts';
import { useCommandAgentHarness } from './helpers/command-agents.ts';
import { useTestDatabase } from './helpers/database.ts';

const minute = 60_000;
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

describe('a command agent with a worktree of its own', () => {
  const db = useTestDatabase();
  const { setUp, defer } = useCommandAgentHarness(db);

  it('works on its own branch in its own directory; the workspace stays untouched', async () => {
    const h = await setUp([
      {
        ...turn(
          toolUse('Write', {
            file_path: '{{request:Primary working directory: ([^\\s\\\\]+)}}/notes.txt',
            content: 'from the worktree\n',
          }),
        ),
        match: { lastUserText: { contains: 'write notes' } },
      },
      { ...reply('Wrote notes.txt.'), match: { lastToolResult: { isError: false } } },
    ]);
    await h.worker();
    const agent = await h.agents.create({ workspace: h.dir, name: 'wanda', worktree: true });
    expect(agent.worktree_path).toBeTruthy();
    expect(agent.working_dir).toBe(agent.worktree_path);
    expect(agent.working_dir).not.toBe(h.dir);
    expect(agent.branch).toMatch(/^agent\/wanda-/);
    expect(git(agent.worktree_path!, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(agent.branch);

    const { commandId } = await h.agents.command({
      workspace: h.dir,
      name: 'wanda',
      command: 'Please write notes',
    });
    const { command } = await h.agents.wait(h.dir, 'wanda', { commandId, timeoutMs: 2 * minute });
    expect(command).toMatchObject({ status: 'succeeded', result_text: 'Wrote notes.txt.' });
    expect(readFileSync(join(agent.worktree_path!, 'notes.txt'), 'utf8')).toBe('from the worktree\n');
    expect(existsSync(join(h.dir, 'notes.txt')), 'the workspace is untouched').toBe(false);
    const changes = await listFileChanges(db.current.pool, command!.run_id!);
    expect(changes.map((change) => [change.path, change.status])).toEqual([['notes.txt', 'created']]);
  });

  it('is refused, naming the field, in a workspace that is not a git repository', async () => {
    const h = await setUp([]);
    const plain = await scratchDir('cmd-plain');
    defer(plain.remove);
    await expect(h.agents.create({ workspace: plain.path, name: 'nogit', worktree: true })).rejects.toThrow(
      /worktree: .*drop worktree/,
    );
    const rows = await db.current.pool.query(`select 1 from agents where name = 'nogit'`);
    expect(rows.rowCount, 'nothing recorded').toBe(0);
  });
});
