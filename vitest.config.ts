import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Nile's section tests render its .vue components (with Vue's server renderer, no DOM needed).
  plugins: [vue()],
  // The web UI's store tests import its modules, which name the wire types by this alias (web/vite.config.ts).
  // Nile's pages (examples/nile/web/vite.config.ts) name theirs and the control room's shared libraries too.
  resolve: {
    alias: {
      '@protocol': fileURLToPath(new URL('src/protocol/index.ts', import.meta.url)),
      '@nile-protocol': fileURLToPath(new URL('examples/nile/protocol.ts', import.meta.url)),
      '@baton-web': fileURLToPath(new URL('web/src', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.test.ts', 'web/test/**/*.test.ts', 'examples/nile/web/test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // Each agent run starts a real Claude Code process (~1.5 CPU-s); on 2 cores more forks only queue.
    maxWorkers: 2,
  },
});
