import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every .ts and .vue file under `dir`: what an import check reads. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : /\.(ts|vue)$/.test(entry.name)
        ? [join(dir, entry.name)]
        : [],
  );
}

/** The module specifiers a file imports or re-exports from (static forms only). */
export function importSpecifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s+['"]([^'"]+)['"]/g),
  ].map((match) => match[1] ?? match[2]!);
}
