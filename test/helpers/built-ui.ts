import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { defaultWebUiDir, loadWebUi, type WebUi } from '../../src/server/ui/web-ui.ts';

/** The newest modification time under a directory. */
function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

/** The built UI, refused when web/ changed after it was built (a browser test would check an old UI). */
export async function builtUi(): Promise<WebUi> {
  const webUi = await loadWebUi();
  if (!webUi) throw new Error('the web UI is not built: run `npm run build:web` (npm ci does)');
  const built = statSync(join(defaultWebUiDir(), 'index.html')).mtimeMs;
  const sources = Math.max(
    newestChange('web/src'),
    newestChange('web/index.html'),
    newestChange('src/protocol'),
  );
  if (sources > built) throw new Error('web/ changed since the UI was built: run `npm run build:web`');
  return webUi;
}
