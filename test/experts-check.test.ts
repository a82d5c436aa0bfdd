import { execFileSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkExpertiseFile,
  filesChangedSince,
  followUpFor,
  headCommit,
  loadExpertFiles,
  resolveRevision,
  scaffoldExpert,
  unifiedDiff,
} from '../src/experts/index.ts';
import { discoverSlashCommands } from '../src/project/index.ts';
import { gitRepository, scratchDir } from './helpers/agents.ts';

const code = {
  'greet.js':
    "function greet(name) {\n  return 'Hello, ' + name;\n}\nfunction farewell(name) {}\nmodule.exports = { greet, farewell };\n",
  'README.md': '# greeter\n',
};
const expertisePath = '.claude/commands/experts/greeting/expertise.yaml';
const expertise = `overview:
  description: Greets people, in greet.js and README.md
  key_files: [greet.js, lib/format.js]
functions:
  - greet(name)
  - farewell(name)
`;

describe('checking an expertise against the code (real git)', () => {
  const dirs: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const remove of dirs.splice(0)) await remove();
  });
  async function repo(files: Record<string, string>): Promise<string> {
    const dir = await scratchDir('expert-check');
    dirs.push(dir.remove);
    await gitRepository(dir.path, files);
    return dir.path;
  }

  it('reports exactly the deleted path and the renamed function, and none after the fix', async () => {
    const dir = await repo(code);
    execFileSync('mkdir', ['-p', join(dir, 'lib'), join(dir, '.claude/commands/experts/greeting')]);
    await writeFile(join(dir, 'lib/format.js'), 'exports.format = (s) => s;\n');
    await writeFile(join(dir, expertisePath), expertise);
    const before = await checkExpertiseFile(dir, expertisePath, 1000);
    expect(before).toMatchObject({ ok: true, stale: [] });

    // The path is deleted and farewell is renamed (the expertise itself still names it: it does not count).
    await rm(join(dir, 'lib/format.js'));
    await writeFile(join(dir, 'greet.js'), code['greet.js'].replaceAll('farewell', 'goodbye'));
    const after = await checkExpertiseFile(dir, expertisePath, 1000);
    if (!after.ok) throw new Error(after.message);
    expect(after.stale.map((claim) => [claim.kind, claim.target, claim.at])).toEqual([
      ['path', 'lib/format.js', 'overview.key_files[1]'],
      ['symbol', 'farewell', 'functions[1]'],
    ]);
    const followUp = followUpFor(expertisePath, after, 1000, false)!;
    expect(followUp).toContain('2 stale claims');
    expect(followUp).toContain('`lib/format.js`');
    expect(followUp).toContain('`farewell(name)`');

    await writeFile(
      join(dir, expertisePath),
      expertise.replace(', lib/format.js', '').replace('farewell(name)', 'goodbye(name)'),
    );
    expect(await checkExpertiseFile(dir, expertisePath, 1000)).toMatchObject({ ok: true, stale: [] });
  });

  it('finds symbols in untracked files too (an ADW build not yet committed)', async () => {
    const dir = await repo(code);
    execFileSync('mkdir', ['-p', join(dir, '.claude/commands/experts/greeting')]);
    await writeFile(join(dir, expertisePath), 'functions: [shout]\n');
    expect((await checkExpertiseFile(dir, expertisePath, 1000)) as { stale: unknown[] }).toMatchObject({
      stale: [{ target: 'shout' }],
    });
    await writeFile(join(dir, 'shout.js'), 'function shout() {}\n');
    expect(await checkExpertiseFile(dir, expertisePath, 1000)).toMatchObject({ ok: true, stale: [] });
  });

  it('refuses a missing file, invalid YAML and a file over its limit, each with a follow-up', async () => {
    const dir = await repo(code);
    execFileSync('mkdir', ['-p', join(dir, '.claude/commands/experts/greeting')]);
    const missing = await checkExpertiseFile(dir, expertisePath, 1000);
    expect(missing).toMatchObject({ ok: false, problem: 'missing' });
    await writeFile(join(dir, expertisePath), 'overview: [unclosed\n');
    const invalid = await checkExpertiseFile(dir, expertisePath, 1000);
    expect(invalid).toMatchObject({ ok: false, problem: 'invalid_yaml' });
    expect(followUpFor(expertisePath, invalid, 1000, true)).toContain('restored the last good version');
    await writeFile(join(dir, expertisePath), Array.from({ length: 12 }, (_, i) => `k${i}: v`).join('\n'));
    const over = await checkExpertiseFile(dir, expertisePath, 10);
    expect(over).toMatchObject({ ok: false, problem: 'over_limit', lines: 12 });
    expect(followUpFor(expertisePath, over, 10, false)).toContain('at most 10 lines');
  });

  it('needs a repository with a commit, and resolves only real revisions', async () => {
    const empty = await scratchDir('expert-empty');
    dirs.push(empty.remove);
    execFileSync('git', ['init', '-q'], { cwd: empty.path });
    await expect(headCommit(empty.path)).rejects.toThrow(/no commits yet/);
    const plain = await scratchDir('expert-plain');
    dirs.push(plain.remove);
    await expect(headCommit(plain.path)).rejects.toThrow(/not a git repository/);

    const dir = await repo(code);
    const head = await headCommit(dir);
    expect(await resolveRevision(dir, 'HEAD', '--since')).toBe(head);
    await expect(resolveRevision(dir, '--output=/tmp/x', '--since')).rejects.toThrow(
      expect.objectContaining({ field: '--since' }),
    );
    await expect(resolveRevision(dir, 'no-such-branch', '--since')).rejects.toThrow(/not a commit/);
    await writeFile(join(dir, 'greet.js'), 'changed\n');
    await writeFile(join(dir, 'new.js'), 'new\n');
    expect(await filesChangedSince(dir, head)).toEqual(['greet.js', 'new.js']);
  });

  it('diffs two versions as a unified diff naming the file', async () => {
    const diff = await unifiedDiff(expertisePath, 'a: 1\nb: 2\n', 'a: 1\nb: 3\n');
    expect(diff).toContain(`--- a/${expertisePath}`);
    expect(diff).toContain('-b: 2\n+b: 3');
    expect(await unifiedDiff(expertisePath, 'same', 'same')).toBe('');
  });
});

describe('expert folders', () => {
  const dirs: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const remove of dirs.splice(0)) await remove();
  });

  it('are scaffolded with the default prompts, never overwriting a person’s own', async () => {
    const dir = await scratchDir('expert-scaffold');
    dirs.push(dir.remove);
    execFileSync('mkdir', ['-p', join(dir.path, '.claude/commands/experts/db')]);
    await writeFile(join(dir.path, '.claude/commands/experts/db/question.md'), 'My own question prompt\n');
    const written = await scaffoldExpert(dir.path, 'db', 'migrations/ and src/db');
    expect(written).toEqual([
      '.claude/commands/experts/db/self-improve.md',
      '.claude/commands/experts/db/plan.md',
      '.claude/commands/experts/db/plan_build_improve.md',
    ]);
    const files = await loadExpertFiles(dir.path, 'db');
    expect(files.prompts.question).toBe('My own question prompt\n');
    expect(files.prompts['self-improve']).toContain('MAX_LINES: 1000');
    expect(files.prompts['self-improve']).toContain('migrations/ and src/db');
    expect(files.maxLines).toBe(1000);
    expect(files.expertise).toBeUndefined();
    expect(await readFile(join(dir.path, '.claude/commands/experts/db/plan.md'), 'utf8')).toContain(
      'argument-hint: [task]',
    );
    // They are ordinary slash commands: Claude Code's convention, as baton's own discovery reads it.
    const catalog = await discoverSlashCommands(dir.path);
    expect(catalog.problems).toEqual([]);
    expect(catalog.commands.map((command) => [command.name, command.allowedTools])).toEqual([
      ['experts:db:plan', ['Read', 'Glob', 'Grep', 'Write', 'TodoWrite']],
      ['experts:db:plan_build_improve', ['Task', 'TodoWrite']],
      ['experts:db:question', []],
      ['experts:db:self-improve', ['Read', 'Grep', 'Glob', 'Bash', 'Edit', 'Write', 'TodoWrite']],
    ]);
  });

  it('name the experts there are when one is unknown', async () => {
    const dir = await scratchDir('expert-unknown');
    dirs.push(dir.remove);
    await scaffoldExpert(dir.path, 'db');
    await expect(loadExpertFiles(dir.path, 'web')).rejects.toThrow(/No expert "web".*the experts are db/);
  });
});
