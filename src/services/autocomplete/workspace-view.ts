import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { listCommandAgents } from '../../db/agents.ts';
import type { Queryable } from '../../db/pool.ts';
import { autocompleteBounds, type AutocompleteWorkspace } from '../../experts/index.ts';
import { discoverAgentTemplates, discoverSlashCommands } from '../../project/index.ts';

/** How long a directory's file view is reused: listing a large repository on every keystroke costs. */
const filesTtlMs = 30_000;
/** Directory entries a scan of a directory that is not a git repository looks at, at most. */
const scanLimit = 5_000;
const skipped = new Set(['node_modules', 'dist', 'build', 'target', 'vendor', '__pycache__']);

export interface WorkspaceViews {
  /** The workspace as the prompt shows it: live agents, templates, slash commands, some files. */
  view(cwd: string): Promise<AutocompleteWorkspace>;
}

/** Reads a workspace for the autocomplete's prompt, keeping each directory's file list for a while. */
export function createWorkspaceViews(pool: Queryable, now: () => number = Date.now): WorkspaceViews {
  const files = new Map<string, { at: number; value: Promise<AutocompleteWorkspace['files']> }>();
  function fileView(cwd: string) {
    const cached = files.get(cwd);
    if (cached && now() - cached.at < filesTtlMs) return cached.value;
    const value = listFiles(cwd, autocompleteBounds.files);
    files.set(cwd, { at: now(), value });
    value.catch(() => files.delete(cwd));
    return value;
  }
  return {
    async view(cwd) {
      const [agents, templates, commands, fileList] = await Promise.all([
        listCommandAgents(pool, cwd),
        discoverAgentTemplates(cwd),
        discoverSlashCommands(cwd),
        fileView(cwd),
      ]);
      return {
        agents: agents.map((agent) => ({ name: agent.name, status: agent.status })),
        templates: templates.templates.map((template) => template.name),
        slashCommands: commands.commands.map((command) => command.name),
        files: fileList,
      };
    },
  };
}

/**
 * The first `max` paths of the repository's files (tracked and untracked, not ignored: `git ls-files`),
 * and how many there are; outside a git repository, a bounded scan that skips dot folders and build output.
 */
export async function listFiles(cwd: string, max: number): Promise<{ paths: string[]; total: number }> {
  const listed = await gitLsFiles(cwd);
  if (listed) return { paths: listed.slice(0, max), total: listed.length };
  const found = await scan(cwd, scanLimit);
  return { paths: found.slice(0, max), total: found.length };
}

function gitLsFiles(cwd: string): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-c', 'core.quotepath=false', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
      { cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout) => resolve(error ? undefined : [...new Set(stdout.split('\0').filter(Boolean))]),
    );
  });
}

async function scan(root: string, limit: number): Promise<string[]> {
  const found: string[] = [];
  const queue = [''];
  let looked = 0;
  while (queue.length > 0 && looked < limit) {
    const dir = queue.shift()!;
    const entries = await readdir(join(root, dir), { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (++looked > limit) break;
      if (entry.name.startsWith('.') || skipped.has(entry.name)) continue;
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) queue.push(path);
      else if (entry.isFile()) found.push(path);
    }
  }
  return found;
}
