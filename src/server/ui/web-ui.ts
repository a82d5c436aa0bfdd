import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { packageRoot } from '../../config/package-root.ts';

/** The built web UI, read into memory once: its page and its hashed assets by file name. */
export interface WebUi {
  index: Buffer;
  assets: ReadonlyMap<string, { body: Buffer; type: string }>;
}

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/**
 * Where a UI's build is, under dist/ of the package: `web` (the control room, `npm run build:web`) or
 * an example's pages (`nile`, `npm run build:nile`).
 */
export function defaultWebUiDir(build: 'web' | 'nile' = 'web'): string {
  return join(packageRoot(), 'dist', build);
}

/**
 * Reads the built UI (`index.html` and the files of `assets/`), or undefined when it was not built.
 * The server answers only for the names found here: no request ever names a file that is then opened.
 */
export async function loadWebUi(dir: string = defaultWebUiDir()): Promise<WebUi | undefined> {
  let index: Buffer;
  try {
    index = await readFile(join(dir, 'index.html'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const assets = new Map<string, { body: Buffer; type: string }>();
  const entries = await readdir(join(dir, 'assets'), { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const body = await readFile(join(dir, 'assets', entry.name));
    assets.set(entry.name, {
      body,
      type: contentTypes[extname(entry.name)] ?? 'application/octet-stream',
    });
  }
  return { index, assets };
}
