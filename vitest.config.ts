import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // Each agent run starts a real Claude Code process (~1.5 CPU-s); on 2 cores more forks only queue.
    maxWorkers: 2,
  },
});
