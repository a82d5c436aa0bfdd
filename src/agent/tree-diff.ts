import type { FileChange } from './file-tracker.ts';
import { git, streamGit, type GitLocation } from './git.ts';
import { readPatchSections, type PatchSection } from './patch-stream.ts';

/** What changed between two snapshot trees. */
export interface TreeDiff {
  /** At most `maxFiles` changes, in git's path order. */
  files: FileChange[];
  /** Lines added and removed over every changed file, including those past `maxFiles`. */
  totalAdded: number;
  totalRemoved: number;
  truncatedFileList: boolean;
}

interface Entry {
  path: string;
  /** git's status letter: A, D, M, or T for a type change (file to symlink, say). */
  status: string;
}

const noRenames = ['-r', '--no-renames', '--no-ext-diff', '--no-textconv'];

/**
 * Compares two trees of the same shadow repository: which paths were created, modified or deleted,
 * with line counts from `--numstat` and each file's patch cut to `diffLimitBytes`.
 */
export async function diffTrees(
  location: GitLocation,
  before: string,
  after: string,
  limits: { diffLimitBytes: number; maxFiles: number },
): Promise<TreeDiff> {
  if (before === after) return { files: [], totalAdded: 0, totalRemoved: 0, truncatedFileList: false };
  const [raw, numstat] = await Promise.all([
    git(['diff-tree', ...noRenames, '-z', '--raw', before, after], location),
    git(['diff-tree', ...noRenames, '-z', '--numstat', before, after], location),
  ]);
  const entries = parseRaw(raw);
  const counts = parseNumstat(numstat);

  let totalAdded = 0;
  let totalRemoved = 0;
  for (const count of counts.values()) {
    totalAdded += count.added;
    totalRemoved += count.removed;
  }
  const reported = entries.slice(0, limits.maxFiles);
  const files = reported.map((entry): FileChange => {
    const count = counts.get(entry.path) ?? { added: 0, removed: 0, binary: false };
    return {
      path: entry.path,
      status: entry.status === 'A' ? 'created' : entry.status === 'D' ? 'deleted' : 'modified',
      linesAdded: count.added,
      linesRemoved: count.removed,
      binary: count.binary,
      diff: null,
      diffTruncated: false,
    };
  });
  if (files.some((file) => !file.binary))
    await attachPatches(location, before, after, reported, files, limits);
  return { files, totalAdded, totalRemoved, truncatedFileList: entries.length > reported.length };
}

/**
 * Streams one `diff-tree -p` for all files and hands each section to its file. Sections come in the
 * same order as the `--raw` entries, except that git prints a type change as two sections (a
 * deletion, then a creation), which are joined. Stops git once the last reported file is complete.
 */
async function attachPatches(
  location: GitLocation,
  before: string,
  after: string,
  entries: Entry[],
  files: FileChange[],
  limits: { diffLimitBytes: number },
): Promise<void> {
  const patch = streamGit(['diff-tree', ...noRenames, '-p', '--no-color', before, after], location);
  let index = -1;
  let sectionsOfCurrent = 0;
  let leftEarly = true; // Until the loop ends by itself: an exception also leaves early.
  try {
    for await (const section of readPatchSections(patch.stdout, limits.diffLimitBytes)) {
      const current = files[index];
      if (current && entries[index]?.status === 'T' && sectionsOfCurrent === 1) {
        joinSection(current, section, limits.diffLimitBytes);
        sectionsOfCurrent = 2;
        continue;
      }
      index += 1;
      sectionsOfCurrent = 1;
      const file = files[index];
      if (!file) break; // A file past maxFiles: every reported file is complete.
      if (!file.binary) {
        file.diff = section.text;
        file.diffTruncated = section.truncated;
      }
    }
    leftEarly = index >= files.length;
  } finally {
    // Killing git is for leaving early; a git that printed everything must report its own exit status.
    if (leftEarly) patch.stop();
  }
  await patch.done;
}

function joinSection(file: FileChange, section: PatchSection, limitBytes: number): void {
  if (file.binary || file.diff === null || file.diffTruncated) return;
  if (Buffer.byteLength(file.diff) + Buffer.byteLength(section.text) > limitBytes || section.truncated) {
    file.diffTruncated = true;
  } else {
    file.diff += section.text;
  }
}

/** Parses `diff-tree -z --raw`: `:<mode> <mode> <id> <id> <status>` NUL `<path>` NUL, repeated. */
function parseRaw(output: string): Entry[] {
  const fields = output.split('\0');
  const entries: Entry[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const meta = fields[i]!;
    entries.push({ path: fields[i + 1]!, status: meta.charAt(meta.lastIndexOf(' ') + 1) });
  }
  return entries;
}

/** Parses `diff-tree -z --numstat`: `<added>\t<removed>\t<path>` NUL, where binary files show `-` counts. */
function parseNumstat(output: string): Map<string, { added: number; removed: number; binary: boolean }> {
  const counts = new Map<string, { added: number; removed: number; binary: boolean }>();
  for (const record of output.split('\0')) {
    const first = record.indexOf('\t');
    const second = record.indexOf('\t', first + 1);
    if (first === -1 || second === -1) continue;
    const added = record.slice(0, first);
    const removed = record.slice(first + 1, second);
    const binary = added === '-' && removed === '-';
    counts.set(record.slice(second + 1), {
      added: binary ? 0 : Number(added),
      removed: binary ? 0 : Number(removed),
      binary,
    });
  }
  return counts;
}
