import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandIndex } from '../src/cli/command-index.ts';
import { addHelpFooters, examplesOf } from '../src/cli/help-text.ts';
import { cliEnvironment, runBaton } from './helpers/cli.ts';

/** Splits an example as a shell would (quotes group words); enough for the examples' simple quoting. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2]!);
}

function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (chunk) => (text += chunk) });
  command.outputHelp();
  return text;
}

describe('every command’s help', () => {
  it('ends with examples of that command, whose flags it has, and the docs', async () => {
    const program = new Command('baton');
    for (const entry of commandIndex) (await entry.load())(program);
    addHelpFooters(program);
    const all: [Command, string[]][] = [];
    const visit = (command: Command, path: string[]) => {
      all.push([command, path]);
      for (const sub of command.commands) visit(sub, [...path, sub.name()]);
    };
    for (const command of program.commands) visit(command, [command.name()]);
    expect(all.length).toBeGreaterThan(25);

    for (const [command, path] of all) {
      const name = ['baton', ...path].join(' ');
      const examples = examplesOf(command);
      expect(examples.length, name).toBeGreaterThan(0);
      const help = helpOf(command);
      expect(help, name).toContain('\nExamples:\n');
      for (const example of examples) expect(help, name).toContain(`  $ ${example}\n`);
      const docs = /\nDocs:\n {2}(\S+README\.md) /.exec(help);
      expect(docs, name).not.toBeNull();
      expect(existsSync(docs![1]!), name).toBe(true);

      for (const example of examples) {
        // The words after `baton` name this command (or one of its subcommands), and its flags are that one's.
        const tokens = words(example);
        // (`claude mcp add baton -- npx baton mcp`: the `baton` that a command follows.)
        const start = tokens.findIndex(
          (token, index) =>
            token === 'baton' && program.commands.some((top) => top.name() === tokens[index + 1]),
        );
        let target = program;
        let at = start + 1;
        while (at < tokens.length) {
          const sub = target.commands.find((candidate) => candidate.name() === tokens[at]);
          if (!sub) break;
          target = sub;
          at++;
        }
        expect(tokens.slice(start + 1, at).slice(0, path.length), example).toEqual(path);
        expect(target.commands, `${example} runs a command`).toEqual([]);
        const flags = target.options.map((option) => option.long);
        for (const flag of tokens.slice(at).filter((token) => token.startsWith('--'))) {
          expect(flags, `${example}: ${flag}`).toContain(flag);
        }
      }
    }
  });

  it('is printed by the real executable, with the examples and the docs', async () => {
    const result = await runBaton(['adw', 'run', '--help'], cliEnvironment({}));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\nExamples:\n {2}\$ baton adw run plan_build_review_fix /);
    expect(result.stdout).toMatch(/\nDocs:\n {2}\S+README\.md \("AI Developer Workflows"/);
    const root = await runBaton(['--help'], cliEnvironment({}));
    expect(root.stdout).toContain('  $ baton demo --ui\n');
  });
});
