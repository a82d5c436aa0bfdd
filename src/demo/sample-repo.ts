import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A tiny Node project for the demo: small enough to read at a glance, with a test that really runs. */
export const sampleFiles: Record<string, string> = {
  'package.json': `${JSON.stringify({ name: 'sample-greeter', version: '1.0.0', private: true, scripts: { test: 'node test.js' } }, null, 2)}\n`,
  'greet.js': `function greet(name) {\n  return 'Hello, ' + name + '!';\n}\n\nmodule.exports = { greet };\n`,
  'test.js': `const assert = require('node:assert');\nconst { greet } = require('./greet.js');\n\nassert.strictEqual(greet('Ada'), 'Hello, Ada!');\nconsole.log('all tests passed');\n`,
  'README.md': '# sample-greeter\n\nGreets people. Run `npm test`.\n',
};

/** Creates the sample project as a git repository with one commit, in a new directory under `parent`. */
export async function createSampleRepository(parent: string): Promise<string> {
  const dir = join(parent, `sample-greeter-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(sampleFiles)) await writeFile(join(dir, name), content);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git(
    '-c',
    'user.name=baton demo',
    '-c',
    'user.email=demo@baton.invalid',
    'commit',
    '-q',
    '-m',
    'Sample greeter',
  );
  return dir;
}
