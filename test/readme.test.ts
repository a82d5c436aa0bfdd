import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** A command's help as `baton … --help` prints it. */
function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (chunk) => (text += chunk) });
  command.outputHelp();
  return text;
}

/** The long flags in the Options section of a help text, but --help: what a person reading it can pass. */
function flagsInHelp(help: string): string[] {
  const options = help.slice(help.indexOf('\nOptions:\n'));
  const section = options.slice(
    0,
    options.search(/\n\n(?!\s)/) === -1 ? undefined : options.search(/\n\n(?!\s)/),
  );
  return [...section.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)]
    .map((match) => match[1]!)
    .filter((flag) => flag !== '--help');
}

/**
 * Every command that runs something (a leaf of commander's tree), with the long flags its own help lists
 * (but --help). They must be the options it defines, too: a flag hidden from the help is a flag no one finds.
 */
async function cliCommands(): Promise<Map<string, string[]>> {
  const program = new Command('baton').version('0.1.0');
  for (const entry of commandIndex) (await entry.load())(program);
  const commands = new Map<string, string[]>([['baton', flagsInHelp(helpOf(program))]]);
  const visit = (command: Command, path: string[]) => {
    if (command.commands.length === 0) {
      const name = ['baton', ...path].join(' ');
      const flags = flagsInHelp(helpOf(command));
      expect([...flags].sort(), `${name} --help`).toEqual(
        command.options.map((option) => option.long!).sort(),
      );
      commands.set(name, flags);
    }
    for (const sub of command.commands) visit(sub, [...path, sub.name()]);
  };
  for (const command of program.commands) visit(command, [command.name()]);
  return commands;
}

/** The baton variables the sources read from the environment themselves, outside the config loader. */
async function variablesReadInSources(): Promise<string[]> {
  const names = new Set<string>();
  const root = fileURLToPath(new URL('../src/', import.meta.url));
  for (const file of await readdir(root, { recursive: true })) {
    if (!file.endsWith('.ts') || file.startsWith('testing/')) continue;
    const text = readFileSync(join(root, file), 'utf8');
    for (const match of text.matchAll(/process\.env(?:\.|\[['"])(BATON_[A-Z0-9_]+)/g)) names.add(match[1]!);
  }
  return [...names];
}

describe('the README', () => {
  it('lists every command with every flag its help lists, and nothing the CLI does not have', async () => {
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

  it('lists every variable the config loader reads, and no other', async () => {
    const documented = tableAfter('## Configuration').flatMap(
      ([variables]) => variables!.match(/`[A-Z][A-Z0-9_]+`/g)?.map((name) => name.slice(1, -1)) ?? [],
    );
    expect([...documented].sort()).toEqual([...environmentVariables].sort());
    // And the loader is the one place that reads them: no module of baton's reads a variable of its own.
    expect((await variablesReadInSources()).filter((name) => !environmentVariables.includes(name))).toEqual(
      [],
    );
  });

  it('keeps the quick start to two commands', () => {
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Prerequisites'));
    const block = /```sh\n([\s\S]*?)```/.exec(quickStart)![1]!;
    expect(block.trim().split('\n')).toEqual(['npm ci && npx baton demo --ui', 'npm test']);
    expect(readme.indexOf('## Prerequisites')).toBeGreaterThan(0);
  });
});
