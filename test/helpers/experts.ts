import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { defaultPrices } from '../../src/agent/pricing.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { Pool } from '../../src/db/pool.ts';
import { expertPaths } from '../../src/experts/index.ts';
import { createExpertService } from '../../src/services/experts/expert-service.ts';
import type { AgentRunner } from '../../src/services/runs/agent-runner.ts';
import type { Turn } from '../../src/testing/fake-model-server/index.ts';
import { reply, toolUse, turn } from '../../src/testing/fake-model-server/turns.ts';

/** The fixture codebase the expert tests ask about: a greeter with a formatter and a users table. */
export const greeterFiles: Record<string, string> = {
  'greet.js':
    "const { format } = require('./lib/format.js');\n\nfunction greet(name) {\n  return format('Hello', name);\n}\n\nfunction farewell(name) {\n  return format('Goodbye', name);\n}\n\nmodule.exports = { greet, farewell };\n",
  'lib/format.js': "exports.format = (word, name) => word + ', ' + name + '!';\n",
  'db/schema.sql': 'create table users (id serial primary key, name text not null);\n',
  'README.md': '# greeter\n\nGreets people. `node -e "require(\'./greet.js\')"`\n',
};

/** Writes `files` (nested paths allowed) into `dir`. */
export async function writeTree(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

/** Commits everything in `dir`. */
export function commitAll(dir: string, message: string): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@baton.dev', 'commit', '-q', '-m', message);
  return git('rev-parse', 'HEAD').trim();
}

/** An expert service over a test runner, as `startServices` wires it. */
export function testExpertService(pool: Pool, runner: AgentRunner) {
  return createExpertService({ pool, runner, config: loadConfig({}), prices: defaultPrices });
}

/**
 * The scripted model's way of writing an expertise: one Bash heredoc (Claude Code's Write tool would
 * want the file read first in each new process), answering the request whose last text contains `after`.
 */
export function writesExpertise(
  domain: string,
  after: string,
  content: string,
  done = 'Updated the expertise.',
): Turn[] {
  const path = expertPaths(domain).expertise;
  return [
    {
      name: `write expertise after "${after}"`,
      ...turn(toolUse('Bash', { command: `cat > ${path} <<'YAML'\n${content}YAML` })),
      match: { lastUserText: { contains: after } },
    },
    { name: `done after "${after}"`, ...reply(done), match: { lastToolResult: { toolName: 'Bash' } } },
  ];
}
