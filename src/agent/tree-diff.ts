import type { FileChange } from './file-tracker.ts';
import { streamGit, type GitLocation } from './git.ts';
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

/** `diff-tree`'s options for `readTreeDiff`, before the two trees. */
export const treeDiffOptions = [
  '-r',
  '--no-renames',
  '--no-ext-diff',
  '--no-textconv',
  '-z',
  '--raw',
  '--numstat',
  '-p',
  '--no-color',
];

/** No change at all. */
export function noTreeDiff(): TreeDiff {
  return { files: [], totalAdded: 0, totalRemoved: 0, truncatedFileList: false };
}

/**
 * Compares two trees of the same shadow repository: which paths were created, modified or deleted,
 * with line counts from `--numstat` and each file's patch cut to `diffLimitBytes`. One git process
 * prints all three (`--raw --numstat -p`): the summary records first, then an empty record, then the
 * patch, which is streamed and left early once every reported file has its section.
 */
export async function diffTrees(
  location: GitLocation,
  before: string,
  after: string,
  limits: { diffLimitBytes: number; maxFiles: number },
): Promise<TreeDiff> {
  if (before === after) return noTreeDiff();
  return readTreeDiff(streamGit(['diff-tree', ...treeDiffOptions, before, after], location), limits);
}

/**
 * Reads the output of `git diff-tree` with `treeDiffOptions` (see `diffTrees`), stopping the command
 * once every reported file has its patch. `stdout` may be what is left of a stream a caller has read
 * the start of.
 */
export async function readTreeDiff(
  output: { stdout: AsyncIterable<Buffer>; done: Promise<void>; stop(): void },
  limits: { diffLimitBytes: number; maxFiles: number },
): Promise<TreeDiff> {
  let leftEarly = true; // Until the patch has been read to its end: an exception also leaves early.
  try {
    const { summary, patch } = await splitSummary(output.stdout);
    const { entries, counts } = parseSummary(summary);
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
    if (files.some((file) => !file.binary)) leftEarly = await attachPatches(patch, reported, files, limits);
    return { files, totalAdded, totalRemoved, truncatedFileList: entries.length > reported.length };
  } finally {
    // Killing git is for leaving early; a git that printed everything must report its own exit status.
    if (leftEarly) output.stop();
    await output.done;
  }
}

/**
 * Reads the summary part of `diff-tree -z --raw --numstat -p` (records that end in NUL, none of them
 * empty) up to the empty record that separates it from the patch; the rest of the output is the patch.
 */
async function splitSummary(
  stdout: AsyncIterable<Buffer>,
): Promise<{ summary: string; patch: AsyncIterable<Buffer> }> {
  const chunks = stdout[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  let rest: Buffer | undefined;
  while (rest === undefined) {
    const next = await chunks.next();
    if (next.done) break;
    head = head.length ? Buffer.concat([head, next.value]) : next.value;
    const end = head.indexOf('\0\0');
    if (end !== -1) {
      rest = head.subarray(end + 2);
      head = head.subarray(0, end + 1);
    }
  }
  async function* patch(): AsyncGenerator<Buffer> {
    if (rest === undefined) return;
    if (rest.length) yield rest;
    for (;;) {
      const next = await chunks.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { summary: head.toString('utf8'), patch: patch() };
}

/**
 * Hands each section of the patch to its file. Sections come in the same order as the `--raw` entries,
 * except that git prints a type change as two sections (a deletion, then a creation), which are joined.
 * Returns whether it stopped before the end (a file past maxFiles: every reported file is complete).
 */
async function attachPatches(
  patch: AsyncIterable<Buffer>,
  entries: Entry[],
  files: FileChange[],
  limits: { diffLimitBytes: number },
): Promise<boolean> {
  let index = -1;
  let sectionsOfCurrent = 0;
  for await (const section of readPatchSections(patch, limits.diffLimitBytes)) {
    const current = files[index];
    if (current && entries[index]?.status === 'T' && sectionsOfCurrent === 1) {
      joinSection(current, section, limits.diffLimitBytes);
      sectionsOfCurrent = 2;
      continue;
    }
    index += 1;
    sectionsOfCurrent = 1;
    const file = files[index];
    if (!file) return true;
    if (!file.binary) {
      file.diff = section.text;
      file.diffTruncated = section.truncated;
    }
  }
  return false;
}

function joinSection(file: FileChange, section: PatchSection, limitBytes: number): void {
  if (file.binary || file.diff === null || file.diffTruncated) return;
  if (Buffer.byteLength(file.diff) + Buffer.byteLength(section.text) > limitBytes || section.truncated) {
    file.diffTruncated = true;
  } else {
    file.diff += section.text;
  }
}

/**
 * Parses the summary: `--raw` records (`:<mode> <mode> <id> <id> <status>` NUL `<path>` NUL) and
 * `--numstat` records (`<added>\t<removed>\t<path>` NUL, with `-` counts for binary files).
 */
function parseSummary(summary: string): {
  entries: Entry[];
  counts: Map<string, { added: number; removed: number; binary: boolean }>;
} {
  const fields = summary.split('\0');
  const entries: Entry[] = [];
  const counts = new Map<string, { added: number; removed: number; binary: boolean }>();
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field.startsWith(':')) {
      entries.push({ path: fields[i + 1]!, status: field.charAt(field.lastIndexOf(' ') + 1) });
      i += 1;
      continue;
    }
    const first = field.indexOf('\t');
    const second = field.indexOf('\t', first + 1);
    if (first === -1 || second === -1) continue;
    const added = field.slice(0, first);
    const removed = field.slice(first + 1, second);
    const binary = added === '-' && removed === '-';
    counts.set(field.slice(second + 1), {
      added: binary ? 0 : Number(added),
      removed: binary ? 0 : Number(removed),
      binary,
    });
  }
  return { entries, counts };
}
