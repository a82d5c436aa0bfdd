import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importSpecifiers, sourceFiles } from './helpers/source-imports.ts';

const webSrc = fileURLToPath(new URL('../src', import.meta.url));
const repoSrc = fileURLToPath(new URL('../../src', import.meta.url));

/** The libraries the UI is built from (each has a decision record). */
const allowedPackages = new Set([
  'vue',
  'pinia',
  'zod',
  'markdown-it',
  'dompurify',
  '@tanstack/vue-virtual',
  'highlight.js',
]);

describe("the web UI's imports", () => {
  it('imports only its own modules, src/protocol (as @protocol) and its libraries', () => {
    const wrong: string[] = [];
    for (const file of sourceFiles(webSrc)) {
      for (const specifier of importSpecifiers(file)) {
        if (specifier === '@protocol') continue;
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          if (relative(webSrc, target).startsWith('..'))
            wrong.push(`${relative(webSrc, file)}: ${specifier}`);
          continue;
        }
        const name = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : specifier.split('/')[0]!;
        if (!allowedPackages.has(name)) wrong.push(`${relative(webSrc, file)}: ${specifier}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('src/protocol, which the UI bundles, reaches only src/core and zod', () => {
    const wrong: string[] = [];
    const protocol = join(repoSrc, 'protocol');
    const seen = new Set<string>();
    const queue = sourceFiles(protocol);
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const specifier of importSpecifiers(file)) {
        if (!specifier.startsWith('.')) {
          if (specifier !== 'zod') wrong.push(`${relative(repoSrc, file)}: ${specifier}`);
          continue;
        }
        const target = resolve(dirname(file), specifier);
        const area = relative(repoSrc, target).split('/')[0];
        if (area !== 'protocol' && area !== 'core') wrong.push(`${relative(repoSrc, file)}: ${specifier}`);
        else if (area === 'core') queue.push(target);
      }
    }
    expect(wrong).toEqual([]);
  });
});
