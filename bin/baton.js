#!/usr/bin/env node
// baton runs its compiled JavaScript (dist/, built by `npm run build`, which `npm ci` runs through
// `prepare`). Without a build, or with BATON_FROM_SOURCE=1 (what the tests use, so they always run the
// sources as they are), it runs the TypeScript sources through tsx. See docs/decisions/0020-compiled-build.md.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);

if (process.env.BATON_FROM_SOURCE !== '1' && existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
