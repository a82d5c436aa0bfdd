import { join } from 'node:path';
import { packageRoot } from '../config/package-root.ts';
import type { Command } from 'commander';

/**
 * The end of every command's help, as `gh` does it: examples to copy, then where the docs are. A command
 * module gives its examples with `withExamples`; `addHelpFooters` (main.ts, once the commands are
 * registered) prints them with the docs. `test/cli-help.test.ts` checks that every command has examples
 * and that their flags are the command's.
 */
const examples = new WeakMap<Command, readonly string[]>();

export function withExamples(command: Command, lines: readonly string[]): Command {
  examples.set(command, lines);
  return command;
}

export function examplesOf(command: Command): readonly string[] {
  return examples.get(command) ?? [];
}

const readme = join(packageRoot(), 'README.md');

/** The README section that explains each top-level command. */
const sections: Record<string, string> = {
  demo: 'Quick start',
  doctor: 'Prerequisites',
  agent: 'Using it with Claude',
  adw: 'AI Developer Workflows',
  expert: 'Agent experts',
  worker: 'AI Developer Workflows',
  gc: 'AI Developer Workflows',
  agents: 'Command agents',
  cost: 'Command agents',
  chat: 'The orchestrator and MCP',
  mcp: 'The orchestrator and MCP',
  up: 'The server',
  serve: 'The server',
  db: 'Configuration',
  dev: 'Development',
  example: 'Nile, the product-expert example',
};

const rootExamples = [
  'baton demo --ui',
  'baton agent run "Add input validation to the signup form" --max-cost 2',
  'baton adw run plan_build_review_fix "Add rate limiting to the login route"',
  'baton adw ls',
  'baton help adw',
];

export function addHelpFooters(program: Command): void {
  withExamples(program, rootExamples);
  const visit = (command: Command, top: string | undefined) => {
    command.addHelpText('after', () => footer(command, top));
    for (const sub of command.commands) visit(sub, top ?? sub.name());
  };
  visit(program, undefined);
}

function footer(command: Command, top: string | undefined): string {
  const lines = examplesOf(command);
  const section = top && sections[top];
  return [
    ...(lines.length ? ['', 'Examples:', ...lines.map((line) => `  $ ${line}`)] : []),
    '',
    'Docs:',
    `  ${readme} (${section ? `"${section}"; ` : ''}every command and flag under "Commands")`,
  ].join('\n');
}
