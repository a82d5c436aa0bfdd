import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandIndex } from '../src/cli/command-index.ts';
import { environmentVariables } from '../src/config/index.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The rows of the first table after `heading`, each as its cells. */
function tableAfter(heading: string): string[][] {
  const lines = readme.slice(readme.indexOf(`\n${heading}\n`)).split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

/** Every command that runs something (a leaf of commander's tree), with its long flags but --help. */
async function cliCommands(): Promise<Map<string, string[]>> {
  const program = new Command('baton').version('0.1.0');
  for (const entry of commandIndex) (await entry.load())(program);
  const commands = new Map<string, string[]>([['baton', ['--version']]]);
  const visit = (command: Command, path: string[]) => {
    if (command.commands.length === 0) {
      commands.set(
        ['baton', ...path].join(' '),
        command.options.map((option) => option.long!),
      );
    }
    for (const sub of command.commands) visit(sub, [...path, sub.name()]);
  };
  for (const command of program.commands) visit(command, [command.name()]);
  return commands;
}

describe('the README', () => {
  it('lists every command with every flag, and nothing the CLI does not have', async () => {
    const documented = new Map<string, string[]>();
    for (const [command, flags] of tableAfter('## Commands')) {
      // `baton adw run <workflow> "<prompt>"` → `baton adw run`: the words before the arguments.
      const words = /^`([^`]+)`$/.exec(command!)![1]!.split(' ');
      const firstArgument = words.findIndex((word) => /^[<"[A-Z]/.test(word));
      const path = (firstArgument === -1 ? words : words.slice(0, firstArgument)).join(' ');
      documented.set(path, flags!.match(/--[a-z][a-z-]*/g) ?? []);
    }
    const defined = await cliCommands();
    expect([...documented.keys()].sort()).toEqual([...defined.keys()].sort());
    for (const [command, flags] of defined) {
      expect(documented.get(command)!.sort(), command).toEqual([...flags].sort());
    }
  });

  it('lists every variable the config loader reads, and no other', () => {
    const documented = tableAfter('## Configuration').flatMap(
      ([variables]) => variables!.match(/`[A-Z][A-Z0-9_]+`/g)?.map((name) => name.slice(1, -1)) ?? [],
    );
    expect([...documented].sort()).toEqual([...environmentVariables].sort());
  });

  it('keeps the quick start to two commands', () => {
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Prerequisites'));
    const block = /```sh\n([\s\S]*?)```/.exec(quickStart)![1]!;
    expect(block.trim().split('\n')).toEqual(['npm ci && npx baton demo --ui', 'npm test']);
    expect(readme.indexOf('## Prerequisites')).toBeGreaterThan(0);
  });
});
