import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * Nile's pages: `npm run build:nile` (run by `prepare` after the control room's build) writes them to
 * dist/nile, which baton's server serves at `/nile/` when Nile is enabled (examples/nile/server/pages.ts).
 * Asset names carry a content hash, like the control room's, so they may be cached forever.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/nile/',
  plugins: [vue()],
  resolve: {
    alias: {
      // Nile's wire types (zod schemas) that its server validates with: the one contract of the pages.
      '@nile-protocol': fileURLToPath(new URL('../protocol.ts', import.meta.url)),
      // The control room's sanitising Markdown renderer (markdown-it + DOMPurify), shared, not copied.
      '@baton-web': fileURLToPath(new URL('../../../web/src', import.meta.url)),
    },
  },
  build: {
    outDir: fileURLToPath(new URL('../../../dist/nile', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
    rolldownOptions: { checks: { pluginTimings: false } },
  },
});
