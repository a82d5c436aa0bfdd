import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(process.env.RECORD_IMPORTS_TO, `${resolved.url}\n`);
  return resolved;
}
