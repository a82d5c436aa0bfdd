import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parseScript } from './script.ts';
import { startFakeModelServer, type FakeModelServer } from './server.ts';

/**
 * Starts a fake model server from a JSON script file (a `{ "turns": [...] }` object or a bare array),
 * for `baton dev fake-model --script FILE --port N`.
 * Throws an error naming the file and the path of each invalid field.
 */
export async function runFakeModelServerFromFile(
  path: string,
  options: { port?: number; host?: string; log?: (line: string) => void } = {},
): Promise<FakeModelServer> {
  const file = resolve(path);
  const extension = extname(file).toLowerCase();
  if (extension === '.yaml' || extension === '.yml') {
    // The `yaml` package is not a dependency; a JSON script says the same thing.
    throw new Error(`fake model script ${file}: YAML scripts are not supported, write the script as JSON`);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`fake model script ${file}: cannot read it (${(error as Error).message})`, {
      cause: error,
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`fake model script ${file}: not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  const script = parseScript(data, `script ${file}`);
  return startFakeModelServer({ ...options, script });
}
