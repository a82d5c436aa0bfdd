import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importSpecifiers, sourceFiles } from '../../../../web/test/helpers/source-imports.ts';

const pagesSrc = fileURLToPath(new URL('../src', import.meta.url));
const protocolFile = fileURLToPath(new URL('../../protocol.ts', import.meta.url));

/** The libraries the pages are built from: the control room's (each has a decision record). */
const allowedPackages = new Set(['vue', 'pinia', 'zod']);
/** What the pages share with the control room, not copy: its JSON calls, its socket link, its Markdown. */
const sharedFromControlRoom = new Set([
  '@baton-web/api/http.ts',
  '@baton-web/live/socket-link.ts',
  '@baton-web/lib/markdown.ts',
]);

describe("Nile's pages' imports", () => {
  it('import only their own modules, the Nile protocol, what they share with the control room, and its libraries', () => {
    const wrong: string[] = [];
    for (const file of sourceFiles(pagesSrc)) {
      for (const specifier of importSpecifiers(file)) {
        if (specifier === '@nile-protocol' || sharedFromControlRoom.has(specifier)) continue;
        if (specifier.startsWith('.')) {
          if (relative(pagesSrc, resolve(dirname(file), specifier)).startsWith('..'))
            wrong.push(`${relative(pagesSrc, file)}: ${specifier}`);
          continue;
        }
        const name = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : specifier.split('/')[0]!;
        if (!allowedPackages.has(name)) wrong.push(`${relative(pagesSrc, file)}: ${specifier}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the protocol they bundle imports zod only', () => {
    expect(importSpecifiers(protocolFile)).toEqual(['zod']);
  });
});
