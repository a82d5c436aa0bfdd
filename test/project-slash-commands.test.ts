import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectFixture, useScratchProjects } from './helpers/project.ts';
import { describeProblem, discoverSlashCommands, parseToolList } from '../src/project/index.ts';

const fixture = projectFixture;
const project = useScratchProjects();

describe('discoverSlashCommands on the fixture tree', () => {
  it('names each command by its path under .claude/commands, folders joined by ":", sorted by name', async () => {
    const { commands } = await discoverSlashCommands(fixture);
    expect(commands.map((command) => command.name)).toEqual([
      'commit',
      'empty-frontmatter',
      'experts:adw:question',
      'experts:adw:self-improve',
      'experts:database:plan',
      'hello',
      'plan',
      'quoted-hint',
    ]);
    expect(commands.find((command) => command.name === 'experts:adw:question')?.path).toBe(
      '.claude/commands/experts/adw/question.md',
    );
  });

  it('reads every frontmatter field, with allowed-tools as a YAML list', async () => {
    const { commands } = await discoverSlashCommands(fixture);
    expect(commands.find((command) => command.name === 'plan')).toEqual({
      name: 'plan',
      path: '.claude/commands/plan.md',
      description: 'Write an implementation plan for a task',
      argumentHint: '[task description]',
      model: 'claude-opus-4-5',
      allowedTools: ['Read', 'Grep', 'Write'],
      disableModelInvocation: true,
    });
  });

  it('keeps an unquoted argument-hint as the text written, where YAML would read a list or fail', async () => {
    const { commands } = await discoverSlashCommands(fixture);
    const hint = (name: string) => commands.find((command) => command.name === name)?.argumentHint;
    expect(hint('experts:adw:question')).toBe('[question]');
    expect(hint('experts:database:plan')).toBe('[change] [table]');
    expect(hint('commit')).toBe('[message] | --amend');
    expect(hint('quoted-hint')).toBe('[file]');
  });

  it('splits a comma-separated allowed-tools line, keeping commas inside a tool rule', async () => {
    const { commands } = await discoverSlashCommands(fixture);
    const tools = (name: string) => commands.find((command) => command.name === name)?.allowedTools;
    expect(tools('commit')).toEqual(['Bash(git add:*)', 'Bash(git status:*)', 'Bash(git commit:*)']);
    expect(tools('experts:adw:question')).toEqual(['Read', 'Grep', 'Glob', 'Bash(git log:*, git diff:*)']);
    expect(tools('quoted-hint')).toEqual(['Read']);
  });

  it('counts a file without frontmatter, taking its description from the first line', async () => {
    const { commands } = await discoverSlashCommands(fixture);
    expect(commands.find((command) => command.name === 'hello')).toEqual({
      name: 'hello',
      path: '.claude/commands/hello.md',
      description: 'Say hello to the user',
      allowedTools: [],
      disableModelInvocation: false,
    });
    expect(commands.find((command) => command.name === 'empty-frontmatter')?.description).toBe(
      'Summarise the current branch.',
    );
  });

  it('reports broken files with path, line and reason, and still lists the others', async () => {
    const { commands, problems } = await discoverSlashCommands(fixture);
    expect(problems.map(describeProblem)).toEqual([
      expect.stringMatching(
        /^\.claude\/commands\/broken\/bad-yaml\.md:2: YAML syntax in the frontmatter: .*quote the value/,
      ),
      '.claude/commands/broken/unclosed.md:1: the frontmatter opened by --- on line 1 is never closed; add a line with --- after it',
      '.claude/commands/broken/wrong-type.md:3: disable-model-invocation must be true or false',
      '.claude/commands/broken/wrong-type.md:4: allowed-tools must be a list of tool names or one comma-separated line (Read, Grep)',
    ]);
    expect(commands.some((command) => command.path.includes('/broken/'))).toBe(false);
    expect(commands.some((command) => command.path.endsWith('.txt'))).toBe(false);
  });
});

describe('discoverSlashCommands on other trees', () => {
  it('finds nothing, without a problem, in a project that has no .claude/commands', async () => {
    expect(await discoverSlashCommands(await project({ 'README.md': '# app\n' }))).toEqual({
      commands: [],
      problems: [],
    });
  });

  it('reads files with Windows line endings and a byte-order mark', async () => {
    const dir = await project({
      '.claude/commands/win.md':
        '\uFEFF---\r\ndescription: Written on Windows\r\nargument-hint: [path]\r\n---\r\nBody\r\n',
    });
    const { commands, problems } = await discoverSlashCommands(dir);
    expect(problems).toEqual([]);
    expect(commands).toEqual([
      expect.objectContaining({ name: 'win', description: 'Written on Windows', argumentHint: '[path]' }),
    ]);
  });

  it('reports a frontmatter built to explode (YAML aliases) instead of expanding it', async () => {
    const level = (name: string, below: string) =>
      `${name}: &${name} [${Array(10).fill(`*${below}`).join(', ')}]`;
    const dir = await project({
      '.claude/commands/bomb.md': [
        '---',
        'a: &a [x, x, x, x, x, x, x, x, x, x]',
        level('b', 'a'),
        level('c', 'b'),
        level('d', 'c'),
        `e: [${Array(10).fill('*d').join(', ')}]`,
        '---',
        'Body',
      ].join('\n'),
    });
    const { commands, problems } = await discoverSlashCommands(dir);
    expect(commands).toEqual([]);
    expect(problems).toEqual([
      {
        path: '.claude/commands/bomb.md',
        line: 2,
        reason: expect.stringMatching(/^the frontmatter cannot be read: Excessive alias count/),
      },
    ]);
  });

  it('reports a dangling symbolic link and a .claude/commands that is a file', async () => {
    const dir = await project({ '.claude/commands/real.md': 'Real command\n' });
    await symlink(join(dir, 'gone.md'), join(dir, '.claude/commands/dangling.md'));
    const { commands, problems } = await discoverSlashCommands(dir);
    expect(commands.map((command) => command.name)).toEqual(['real']);
    expect(problems).toEqual([
      { path: '.claude/commands/dangling.md', reason: expect.stringContaining('cannot read this file') },
    ]);

    const fileInstead = await project({ '.claude/commands': 'not a folder' });
    expect((await discoverSlashCommands(fileInstead)).problems).toEqual([
      { path: '.claude/commands', reason: 'cannot read this folder (it is a file, not a folder)' },
    ]);
  });

  it('follows a symbolic link to a folder, but not one that leads back to a folder being listed', async () => {
    const dir = await project({ '.claude/commands/team/review.md': 'Review the change\n' });
    await symlink(join(dir, '.claude/commands'), join(dir, '.claude/commands/team/loop'));
    await symlink(join(dir, '.claude/commands/team'), join(dir, '.claude/commands/shared'));
    const { commands, problems } = await discoverSlashCommands(dir);
    expect(problems).toEqual([]);
    expect(commands.map((command) => command.name)).toEqual(['shared:review', 'team:review']);
  });
});

describe('parseToolList', () => {
  it('takes a list or one comma-separated line, and refuses anything else', () => {
    expect(parseToolList(['Read', ' Grep ', ''])).toEqual(['Read', 'Grep']);
    expect(parseToolList('Read,Grep , Bash(npm run:*)')).toEqual(['Read', 'Grep', 'Bash(npm run:*)']);
    expect(parseToolList('')).toEqual([]);
    expect(parseToolList({ name: 'Read' })).toBeUndefined();
    expect(parseToolList([1, 2])).toBeUndefined();
  });
});
