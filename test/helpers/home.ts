import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let home: string | undefined;

/**
 * An empty HOME for the processes tests start (baton, Claude Code and the shells its Bash tool opens):
 * Claude Code's shell sources the user's profile, which is slow on a developer's machine, and nothing
 * from the developer's own configuration (git, shell, Claude Code) should reach a test. One per test
 * process, removed when it exits.
 */
export function testHome(): string {
  if (!home) {
    const created = mkdtempSync(join(tmpdir(), 'baton-test-home-'));
    home = created;
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return home;
}
