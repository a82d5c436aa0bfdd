import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { compareProblems, type ProjectFileProblem } from './problems.ts';

export interface MarkdownFiles {
  /** Paths relative to the project directory, `/`-separated, sorted. */
  files: string[];
  problems: ProjectFileProblem[];
}

/**
 * The `.md` files in `folder` (a path relative to `projectDir`), and in its subfolders when `recursive`.
 * A missing folder holds no files. Symbolic links are followed (a linked folder is another name for its
 * commands, as in Claude Code), except a link back to a folder being listed, which would never end.
 */
export async function listMarkdownFiles(
  projectDir: string,
  folder: string,
  options: { recursive: boolean },
): Promise<MarkdownFiles> {
  const files: string[] = [];
  const problems: ProjectFileProblem[] = [];
  const toProjectPath = (absolute: string) => relative(projectDir, absolute).split(sep).join('/');

  async function visit(dir: string, ancestors: readonly string[]): Promise<void> {
    let entries;
    let real: string;
    try {
      real = await realpath(dir);
      if (ancestors.includes(real)) return;
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (ancestors.length === 0 && errorCode(error) === 'ENOENT') return;
      problems.push({
        path: toProjectPath(dir),
        reason: `cannot read this folder (${describeFsError(error)})`,
      });
      return;
    }
    entries.sort((a, b) => compareText(a.name, b.name));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      let kind: 'file' | 'directory' | 'other' = entry.isFile()
        ? 'file'
        : entry.isDirectory()
          ? 'directory'
          : 'other';
      if (entry.isSymbolicLink()) {
        try {
          const target = await stat(path);
          kind = target.isFile() ? 'file' : target.isDirectory() ? 'directory' : 'other';
        } catch (error) {
          if (entry.name.endsWith('.md')) {
            problems.push({
              path: toProjectPath(path),
              reason: `cannot read this file (${describeFsError(error)})`,
            });
          }
          continue;
        }
      }
      if (kind === 'directory' && options.recursive) await visit(path, [...ancestors, real]);
      else if (kind === 'file' && entry.name.endsWith('.md')) files.push(toProjectPath(path));
    }
  }

  await visit(join(projectDir, folder), []);
  files.sort(compareText);
  problems.sort(compareProblems);
  return { files, problems };
}

/** Code-unit order: the same on every machine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function describeFsError(error: unknown): string {
  const code = errorCode(error);
  switch (code) {
    case 'ENOENT':
      return 'it does not exist (a broken symbolic link?)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'it is a file, not a folder';
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}
