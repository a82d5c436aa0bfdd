import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { UserError, describeError } from '../../core/errors.ts';
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
    throw new UserError(`--script ${file}: YAML scripts are not supported, write the script as JSON`);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(
      `--script ${file}: cannot read it (${(error as Error).message}); pass an existing JSON file`,
      {
        cause: error,
      },
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`--script ${file}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  let script;
  try {
    script = parseScript(data, `script ${file}`);
  } catch (error) {
    throw new UserError(`--script: ${describeError(error)}`, { cause: error });
  }
  return startFakeModelServer({ ...options, script }).catch((error: unknown) => {
    const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    throw inUse
      ? new UserError(`--port ${options.port}: the port is in use; pick another or omit --port`)
      : error;
  });
}
