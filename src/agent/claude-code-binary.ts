import { createRequire } from 'node:module';

/**
 * The Claude Code executable the Agent SDK bundles for this platform (glibc first, then musl), or
 * undefined when none is installed. Resolved once and passed to every run, instead of the SDK looking
 * it up for each of them.
 */
export function bundledClaudeCode(): string | undefined {
  const require = createRequire(import.meta.url);
  for (const suffix of ['', '-musl']) {
    try {
      return require.resolve(
        `@anthropic-ai/claude-agent-sdk-${process.platform}-${process.arch}${suffix}/claude`,
      );
    } catch {
      // try the next variant
    }
  }
  return undefined;
}
