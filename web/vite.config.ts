import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The web UI's build: `npm run build:web` (run by `prepare` after the server's tsc build) writes it to
 * dist/web, where the server serves it. Asset names carry a content hash, so the server may cache them
 * forever; index.html is the only file that is not.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [vue()],
  // The one part of baton the UI imports: the wire types (zod schemas) it shares with the server.
  resolve: { alias: { '@protocol': fileURLToPath(new URL('../src/protocol/index.ts', import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
    // The Vue transform dominates a build this small; rolldown's note about it is noise in `npm ci`.
    rolldownOptions: { checks: { pluginTimings: false } },
  },
});
