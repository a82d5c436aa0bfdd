import { chmod, mkdir, mkdtemp, readdir, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changesSince, startFileTracking, type FileChangeSummary } from '../src/agent/file-tracker.ts';
import { git } from '../src/agent/git.ts';
import { readPatchSections } from '../src/agent/patch-stream.ts';

let root: string;
let snapshotsRoot: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'baton-file-tracker-'));
  snapshotsRoot = join(root, 'snapshots');
});

afterEach(async () => {
  await chmod(root, 0o700).catch(() => {});
  await rm(root, { recursive: true, force: true });
});

async function makeDir(name: string, files: Record<string, string | Buffer> = {}): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await write(dir, files);
  return dir;
}

async function write(dir: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

async function commitAll(dir: string): Promise<void> {
  await git(['init', '--quiet'], { cwd: dir });
  await git(['add', '--all'], { cwd: dir });
  await git(
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '--quiet', '-m', 'init'],
    {
      cwd: dir,
    },
  );
}

/** Runs `during` between start and finish, as an agent run would. */
async function track(
  dir: string,
  during: () => Promise<void>,
  options: { diffLimitBytes?: number; maxFiles?: number } = {},
): Promise<FileChangeSummary> {
  const tracking = await startFileTracking({ cwd: dir, snapshotsRoot, ...options });
  await during();
  return tracking.finish();
}

function brief(summary: FileChangeSummary) {
  return summary.files.map(({ path, status, linesAdded, linesRemoved }) => ({
    path,
    status,
    linesAdded,
    linesRemoved,
  }));
}

const initialFiles = {
  'keep.txt': 'one\ntwo\nthree\n',
  'gone.txt': 'bye\n',
  'dirty.txt': 'clean\n',
};

/**
 * Changes made before tracking starts, then the run's create/modify/delete; checks only the run's show up.
 * `at` is where the files live inside `dir` (a nested repository, say), as a path prefix.
 */
async function expectOnlyTheRunsChanges(dir: string, at = ''): Promise<void> {
  const files = join(dir, at);
  await write(files, { 'dirty.txt': 'dirty before the run\n', 'untracked-before.txt': 'here already\n' });

  const summary = await track(dir, async () => {
    await write(files, { 'src/new.txt': 'a\nb\n', 'keep.txt': 'one\n2\nthree\nfour\n' });
    await unlink(join(files, 'gone.txt'));
  });

  expect(summary.error).toBeUndefined();
  expect(brief(summary)).toEqual([
    { path: `${at}gone.txt`, status: 'deleted', linesAdded: 0, linesRemoved: 1 },
    { path: `${at}keep.txt`, status: 'modified', linesAdded: 2, linesRemoved: 1 },
    { path: `${at}src/new.txt`, status: 'created', linesAdded: 2, linesRemoved: 0 },
  ]);
  expect(summary).toMatchObject({ totalAdded: 4, totalRemoved: 2, truncatedFileList: false });
  expect(summary.beforeTree).toMatch(/^[0-9a-f]{40}$/);
  expect(summary.afterTree).toMatch(/^[0-9a-f]{40}$/);
  const [gone, keep, created] = summary.files;
  expect(gone?.diff).toContain('deleted file mode 100644');
  expect(gone?.diff).toContain('-bye\n');
  const keepLines = keep!.diff!.split('\n');
  expect(keepLines[1]).toMatch(/^index [0-9a-f]+\.\.[0-9a-f]+ 100644$/);
  expect([keepLines[0], ...keepLines.slice(2)]).toEqual([
    `diff --git a/${at}keep.txt b/${at}keep.txt`,
    `--- a/${at}keep.txt`,
    `+++ b/${at}keep.txt`,
    '@@ -1,3 +1,4 @@',
    ' one',
    '-two',
    '+2',
    ' three',
    '+four',
    '',
  ]);
  expect(created?.diff).toContain('new file mode 100644');
  expect(created?.diff).toContain(`+++ b/${at}src/new.txt\n@@ -0,0 +1,2 @@\n+a\n+b\n`);
  expect(summary.files.every((file) => !file.binary && !file.diffTruncated)).toBe(true);
}

describe('startFileTracking', () => {
  it('reports what the run changed in a git repository, not what was dirty before it', async () => {
    const dir = await makeDir('repo', initialFiles);
    await commitAll(dir);

    await expectOnlyTheRunsChanges(dir);

    // The repository's own index is untouched: the deletion is still unstaged.
    expect(await git(['status', '--porcelain'], { cwd: dir })).toContain(' D gone.txt');
  });

  it('reports what the run changed in a directory that is not a git repository', async () => {
    const dir = await makeDir('plain', initialFiles);

    await expectOnlyTheRunsChanges(dir);

    expect(await readdir(dir)).not.toContain('.git');
  });

  it('does not report an earlier run’s changes again', async () => {
    const dir = await makeDir('plain', { 'a.txt': 'a\n', 'b.txt': 'b\n' });

    const first = await track(dir, () => write(dir, { 'a.txt': 'a\nmore\n' }));
    const second = await track(dir, () => write(dir, { 'b.txt': 'B\n' }));
    const third = await track(dir, async () => {});

    expect(brief(first)).toEqual([{ path: 'a.txt', status: 'modified', linesAdded: 1, linesRemoved: 0 }]);
    expect(brief(second)).toEqual([{ path: 'b.txt', status: 'modified', linesAdded: 1, linesRemoved: 1 }]);
    expect(third).toMatchObject({ files: [], totalAdded: 0, totalRemoved: 0 });
    expect(third.beforeTree).toBe(third.afterTree);
  });

  it('sees same-size edits made in the same instant as a snapshot (racy stat data)', async () => {
    const dir = await makeDir('plain', { 'x.txt': 'v0\n' });

    for (let n = 1; n <= 5; n++) {
      const summary = await track(dir, () => write(dir, { 'x.txt': `v${n}\n` }));
      // Right after a snapshot, so the file's mtime matches the index's; only content tells them apart.
      expect(summary.files[0]?.diff).toContain(`-v${n - 1}\n+v${n}\n`);
    }
  });

  it('tracks runs in two directories at the same time', async () => {
    const one = await makeDir('one', { 'x.txt': 'x\n' });
    const two = await makeDir('two', { 'x.txt': 'x\n' });

    const [first, second] = await Promise.all([
      track(one, () => write(one, { 'x.txt': 'x\n1\n' })),
      track(two, () => write(two, { 'y.txt': 'y\n' })),
    ]);

    expect(brief(first)).toEqual([{ path: 'x.txt', status: 'modified', linesAdded: 1, linesRemoved: 0 }]);
    expect(brief(second)).toEqual([{ path: 'y.txt', status: 'created', linesAdded: 1, linesRemoved: 0 }]);
  });

  it('keeps overlapping runs in one directory apart from each other’s index', async () => {
    const dir = await makeDir('shared', { 'x.txt': 'x\n' });

    const trackings = await Promise.all([1, 2, 3].map(() => startFileTracking({ cwd: dir, snapshotsRoot })));
    await write(dir, { 'x.txt': 'changed\n' });
    const summaries = await Promise.all(trackings.map((tracking) => tracking.finish()));

    for (const summary of summaries) {
      expect(brief(summary)).toEqual([{ path: 'x.txt', status: 'modified', linesAdded: 1, linesRemoved: 1 }]);
    }
    const shadow = (await readdir(snapshotsRoot)).find((name) => name.endsWith('.git'))!;
    // Every temporary index was removed; only the shared one remains.
    expect((await readdir(join(snapshotsRoot, shadow))).filter((name) => name.includes('index'))).toEqual([
      'shared-index',
    ]);
  });

  it('reports binary files without a diff', async () => {
    const dir = await makeDir('plain', { 'image.bin': Buffer.from([0, 1, 2, 3]) });

    const summary = await track(dir, () =>
      write(dir, {
        'new.bin': Buffer.from([0x89, 0x50, 0, 0, 0xff, 10, 0]),
        'image.bin': Buffer.from([0, 9]),
      }),
    );

    expect(summary.files).toEqual([
      {
        path: 'image.bin',
        status: 'modified',
        linesAdded: 0,
        linesRemoved: 0,
        binary: true,
        diff: null,
        diffTruncated: false,
      },
      {
        path: 'new.bin',
        status: 'created',
        linesAdded: 0,
        linesRemoved: 0,
        binary: true,
        diff: null,
        diffTruncated: false,
      },
    ]);
  });

  it('cuts a diff larger than diffLimitBytes at a line end and says so', async () => {
    const dir = await makeDir('plain');
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n') + '\n';

    const summary = await track(
      dir,
      () => write(dir, { 'big.txt': lines, 'long-line.txt': 'x'.repeat(200_000), 'small.txt': 'small\n' }),
      { diffLimitBytes: 1024 },
    );

    const [big, longLine, small] = summary.files;
    expect(big).toMatchObject({ path: 'big.txt', linesAdded: 1000, diffTruncated: true });
    expect(Buffer.byteLength(big!.diff!)).toBeLessThanOrEqual(1024);
    expect(big!.diff!.endsWith('\n')).toBe(true);
    expect(big!.diff).toMatch(/\n\+line \d+\n$/);
    // A single line over the limit is left out whole; the file after it is unaffected.
    expect(longLine).toMatchObject({ path: 'long-line.txt', linesAdded: 1, diffTruncated: true });
    expect(longLine!.diff).toMatch(/^diff --git a\/long-line.txt b\/long-line.txt\n[^]*@@ -0,0 \+1 @@\n$/);
    expect(small).toMatchObject({ path: 'small.txt', diffTruncated: false });
    expect(small!.diff).toContain('+small\n');
  });

  it('lists at most maxFiles files and still counts every line', async () => {
    const dir = await makeDir('plain');

    const summary = await track(
      dir,
      () => write(dir, Object.fromEntries([1, 2, 3, 4, 5].map((n) => [`f${n}.txt`, 'x\n'.repeat(n)]))),
      { maxFiles: 3 },
    );

    expect(summary.files.map((file) => file.path)).toEqual(['f1.txt', 'f2.txt', 'f3.txt']);
    expect(summary.files[2]?.diff).toContain('+x\n+x\n+x\n');
    expect(summary).toMatchObject({ truncatedFileList: true, totalAdded: 15, totalRemoved: 0 });
  });

  it('skips .gitignore’d files in a repository and node_modules in a plain directory', async () => {
    const repo = await makeDir('repo', { '.gitignore': '*.log\nsecret/\n', 'README.md': 'hi\n' });
    await commitAll(repo);
    const plain = await makeDir('plain', { 'README.md': 'hi\n' });

    const inRepo = await track(repo, () =>
      write(repo, { 'run.log': 'log\n', 'secret/key.txt': 'k\n', 'visible.txt': 'v\n' }),
    );
    const inPlain = await track(plain, () =>
      write(plain, {
        'node_modules/pkg/index.js': 'module.exports = 1;\n',
        '__pycache__/m.pyc': 'c',
        'visible.txt': 'v\n',
      }),
    );

    expect(inRepo.files.map((file) => file.path)).toEqual(['visible.txt']);
    expect(inPlain.files.map((file) => file.path)).toEqual(['visible.txt']);
  });

  it('stops snapshotting files that became ignored between runs', async () => {
    const dir = await makeDir('plain', { 'build/out.txt': 'v1\n' });
    await track(dir, async () => {});
    await write(dir, { '.gitignore': 'build/\n' });

    const summary = await track(dir, () => write(dir, { 'build/out.txt': 'v2\n' }));

    expect(summary.files).toEqual([]);
  });

  it('keeps a file the run ignores itself, rather than reporting it deleted', async () => {
    const dir = await makeDir('plain', { 'notes.txt': 'n\n' });

    const summary = await track(dir, () => write(dir, { '.gitignore': 'notes.txt\n' }));

    expect(brief(summary)).toEqual([
      { path: '.gitignore', status: 'created', linesAdded: 1, linesRemoved: 0 },
    ]);
  });

  it('reports type changes and odd file names', async () => {
    const dir = await makeDir('plain', { 'link.txt': 'a file\n' });
    const odd = 'we"ird\tname ü.txt';

    const summary = await track(dir, async () => {
      await unlink(join(dir, 'link.txt'));
      await symlink('target.txt', join(dir, 'link.txt'));
      await write(dir, { [odd]: 'odd\n', 'z.txt': 'z\n' });
    });

    expect(summary.error).toBeUndefined();
    expect(brief(summary)).toEqual([
      { path: 'link.txt', status: 'modified', linesAdded: 1, linesRemoved: 1 },
      { path: odd, status: 'created', linesAdded: 1, linesRemoved: 0 },
      { path: 'z.txt', status: 'created', linesAdded: 1, linesRemoved: 0 },
    ]);
    const [link, oddFile, z] = summary.files;
    expect(link?.diff).toContain('deleted file mode 100644');
    expect(link?.diff).toContain('new file mode 120000');
    expect(link?.diff).toContain('+target.txt');
    expect(oddFile?.diff).toContain('+odd\n');
    expect(z?.diff).toContain('+z\n');
  });

  it('resolves with an error instead of throwing when the directory does not exist', async () => {
    const tracking = await startFileTracking({ cwd: join(root, 'missing'), snapshotsRoot });

    const summary = await tracking.finish();

    expect(summary).toMatchObject({ files: [], totalAdded: 0, totalRemoved: 0, truncatedFileList: false });
    expect(summary.error).toBe(
      `File changes were not recorded: the working directory ${join(root, 'missing')} does not exist.`,
    );
  });

  it('resolves with an error when the directory is a file, unreadable, or deleted during the run', async () => {
    await writeFile(join(root, 'file'), 'x');
    const dir = await makeDir('plain', { 'a.txt': 'a\n' });

    const ofFile = await (await startFileTracking({ cwd: join(root, 'file'), snapshotsRoot })).finish();
    const tracking = await startFileTracking({ cwd: dir, snapshotsRoot });
    await rm(dir, { recursive: true });
    const ofDeleted = await tracking.finish();

    expect(ofFile.error).toMatch(/is not a directory/);
    expect(ofDeleted.error).toMatch(/^File changes were not recorded: .*no longer exists/);
    expect(ofDeleted.files).toEqual([]);

    // Root reads anything, so permissions can only be tested as another user.
    if (process.getuid?.() !== 0) {
      const locked = await makeDir('locked', { 'a.txt': 'a\n' });
      await chmod(locked, 0o000);
      const ofLocked = await (await startFileTracking({ cwd: locked, snapshotsRoot })).finish();
      await chmod(locked, 0o700);
      expect(ofLocked.error).toMatch(/cannot be read by this process/);
    }
  });

  it('resolves with an error when git is not installed', async () => {
    const dir = await makeDir('plain', { 'a.txt': 'a\n' });
    const path = process.env.PATH;
    process.env.PATH = join(root, 'no-bin');
    try {
      const summary = await (await startFileTracking({ cwd: dir, snapshotsRoot })).finish();
      expect(summary.error).toMatch(/no git executable on PATH/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('rejects a bad limit through the summary, naming the option', async () => {
    const dir = await makeDir('plain');

    const summary = await (await startFileTracking({ cwd: dir, snapshotsRoot, diffLimitBytes: 0 })).finish();

    expect(summary.error).toMatch(/diffLimitBytes must be a whole number of at least 1/);
  });

  it('returns the same summary when finish() is called twice, and an error after dispose()', async () => {
    const dir = await makeDir('plain');
    const tracking = await startFileTracking({ cwd: dir, snapshotsRoot });
    const disposed = await startFileTracking({ cwd: dir, snapshotsRoot });
    await disposed.dispose();

    const first = tracking.finish();
    expect(tracking.finish()).toBe(first);
    await first; // let its git processes end before the directory is removed
    expect((await disposed.finish()).error).toMatch(/after dispose/);
  });
});

describe('startFileTracking in nested git repositories', () => {
  it('reports what the run changed inside a nested repository, not what was dirty in it before', async () => {
    const dir = await makeDir('repo', { 'README.md': 'hi\n' });
    const nested = await makeDir('repo/vendor/lib', initialFiles);
    await commitAll(nested);
    await commitAll(dir); // The outer repository records vendor/lib as a gitlink.

    await expectOnlyTheRunsChanges(dir, 'vendor/lib/');

    // Neither repository's own index is touched.
    expect(await git(['status', '--porcelain'], { cwd: nested })).toContain(' D gone.txt');
    expect(await git(['diff', '--cached', '--name-only'], { cwd: dir })).toBe('');
  });

  it('tracks a nested repository inside a nested repository', async () => {
    const dir = await makeDir('plain', { 'top.txt': 't\n', 'a/mid.txt': 'm\n', 'a/b/deep.txt': 'd\n' });
    await commitAll(join(dir, 'a/b'));
    await commitAll(join(dir, 'a'));

    const summary = await track(dir, () =>
      write(dir, { 'a/b/deep.txt': 'd\nmore\n', 'a/b/c/new.txt': 'n\n', 'a/mid.txt': 'M\n' }),
    );

    expect(brief(summary)).toEqual([
      { path: 'a/b/c/new.txt', status: 'created', linesAdded: 1, linesRemoved: 0 },
      { path: 'a/b/deep.txt', status: 'modified', linesAdded: 1, linesRemoved: 0 },
      { path: 'a/mid.txt', status: 'modified', linesAdded: 1, linesRemoved: 1 },
    ]);
  });

  it('reports every file of a repository the run clones or creates, committed or not', async () => {
    const dir = await makeDir('plain', { 'README.md': 'hi\n' });

    const summary = await track(dir, async () => {
      await write(dir, { 'clone/src/a.ts': 'a\n', 'clone/b.ts': 'b\n', 'fresh/x.txt': 'x\n' });
      await commitAll(join(dir, 'clone'));
      await git(['init', '--quiet'], { cwd: join(dir, 'fresh') });
    });

    expect(brief(summary)).toEqual([
      { path: 'clone/b.ts', status: 'created', linesAdded: 1, linesRemoved: 0 },
      { path: 'clone/src/a.ts', status: 'created', linesAdded: 1, linesRemoved: 0 },
      { path: 'fresh/x.txt', status: 'created', linesAdded: 1, linesRemoved: 0 },
    ]);
  });

  it('reports every file of a nested repository the run deletes', async () => {
    const dir = await makeDir('plain', { 'README.md': 'hi\n', 'old/a.txt': 'a\n', 'old/sub/b.txt': 'b\n' });
    await commitAll(join(dir, 'old'));

    const summary = await track(dir, () => rm(join(dir, 'old'), { recursive: true }));

    expect(brief(summary)).toEqual([
      { path: 'old/a.txt', status: 'deleted', linesAdded: 0, linesRemoved: 1 },
      { path: 'old/sub/b.txt', status: 'deleted', linesAdded: 0, linesRemoved: 1 },
    ]);
  });

  it('tracks a nested repository without any commit, and one with no files at all', async () => {
    const dir = await makeDir('plain', { 'a.txt': 'a\n', 'nocommit/file.txt': 'x\n' });
    await git(['init', '--quiet'], { cwd: join(dir, 'nocommit') });
    await mkdir(join(dir, 'empty'));
    await git(['init', '--quiet'], { cwd: join(dir, 'empty') });

    const summary = await track(dir, () =>
      write(dir, { 'nocommit/file.txt': 'x\ny\n', 'nocommit/new.txt': 'n\n', 'a.txt': 'A\n' }),
    );

    expect(summary.error).toBeUndefined();
    expect(brief(summary)).toEqual([
      { path: 'a.txt', status: 'modified', linesAdded: 1, linesRemoved: 1 },
      { path: 'nocommit/file.txt', status: 'modified', linesAdded: 1, linesRemoved: 0 },
      { path: 'nocommit/new.txt', status: 'created', linesAdded: 1, linesRemoved: 0 },
    ]);
  });

  it('honours a nested repository’s .gitignore inside it only', async () => {
    const dir = await makeDir('plain', { 'lib/.gitignore': '*.log\n', 'lib/a.txt': 'a\n' });
    await commitAll(join(dir, 'lib'));

    const summary = await track(dir, () =>
      write(dir, {
        'lib/debug.log': 'd\n',
        'lib/deeper/trace.log': 't\n',
        'lib/b.txt': 'b\n',
        'top.log': 'l\n',
      }),
    );

    expect(summary.files.map((file) => file.path)).toEqual(['lib/b.txt', 'top.log']);
  });

  it('keeps tracking a nested repository’s files in later runs, without repeating earlier changes', async () => {
    const dir = await makeDir('plain', { 'lib/a.txt': 'a\n', 'lib/b.txt': 'b\n' });
    await commitAll(join(dir, 'lib'));

    const first = await track(dir, () => write(dir, { 'lib/a.txt': 'a\nmore\n' }));
    const second = await track(dir, () => write(dir, { 'lib/b.txt': 'B\n' }));
    const third = await track(dir, async () => {});

    expect(brief(first)).toEqual([{ path: 'lib/a.txt', status: 'modified', linesAdded: 1, linesRemoved: 0 }]);
    expect(brief(second)).toEqual([
      { path: 'lib/b.txt', status: 'modified', linesAdded: 1, linesRemoved: 1 },
    ]);
    expect(third.files).toEqual([]);
  });

  it('sees same-size edits in a nested repository made in the same instant as a snapshot', async () => {
    const dir = await makeDir('plain', { 'lib/x.txt': 'v0\n' });
    await commitAll(join(dir, 'lib'));

    for (let n = 1; n <= 3; n++) {
      const summary = await track(dir, () => write(dir, { 'lib/x.txt': `v${n}\n` }));
      expect(summary.files[0]?.diff).toContain(`-v${n - 1}\n+v${n}\n`);
    }
  });
  it('tracks a nested repository that a shadow made by an earlier baton holds as a gitlink', async () => {
    const dir = await makeDir('plain', { 'lib/a.txt': 'a\n' });
    await commitAll(join(dir, 'lib'));
    await track(dir, async () => {});
    // Leave the shadow as an earlier baton did: its shared index, <shadow>/index, holds lib as a gitlink.
    const shadow = join(
      snapshotsRoot,
      (await readdir(snapshotsRoot)).find((name) => name.endsWith('.git'))!,
    );
    for (const name of await readdir(shadow)) if (name.includes('index')) await rm(join(shadow, name));
    const head = (await git(['rev-parse', 'HEAD'], { cwd: join(dir, 'lib') })).trim();
    await git(['update-index', '--add', '--cacheinfo', `160000,${head},lib`], {
      gitDir: shadow,
      indexFile: join(shadow, 'index'),
    });

    const summary = await track(dir, () => write(dir, { 'lib/a.txt': 'A\n' }));

    expect(brief(summary)).toEqual([
      { path: 'lib/a.txt', status: 'modified', linesAdded: 1, linesRemoved: 1 },
    ]);
    expect(await readdir(shadow)).not.toContain('index');
  });
});

describe('changesSince', () => {
  it('reports what changed since a recorded before-snapshot, for a run that never finished', async () => {
    const dir = await makeDir('plain', { 'a.txt': 'a\n', 'lib/b.txt': 'b\n' });
    await commitAll(join(dir, 'lib'));
    const tracking = await startFileTracking({ cwd: dir, snapshotsRoot });
    const beforeTree = tracking.beforeTree!;
    await write(dir, { 'a.txt': 'a\nkilled run\n', 'lib/c.txt': 'c\n' });
    await tracking.dispose(); // As if the run's process had been killed.

    const summary = await changesSince({ cwd: dir, snapshotsRoot }, beforeTree);

    expect(beforeTree).toMatch(/^[0-9a-f]{40}$/);
    expect(summary).toMatchObject({ beforeTree, totalAdded: 2, totalRemoved: 0 });
    expect(summary.afterTree).toMatch(/^[0-9a-f]{40}$/);
    expect(brief(summary)).toEqual([
      { path: 'a.txt', status: 'modified', linesAdded: 1, linesRemoved: 0 },
      { path: 'lib/c.txt', status: 'created', linesAdded: 1, linesRemoved: 0 },
    ]);
    expect(summary.files[0]?.diff).toContain('+killed run\n');
  });

  it('applies the same limits as a tracked run', async () => {
    const dir = await makeDir('plain');
    const { beforeTree } = await startFileTracking({ cwd: dir, snapshotsRoot });
    await write(dir, { 'a.txt': 'a\n', 'b.txt': 'b\n' });

    const summary = await changesSince({ cwd: dir, snapshotsRoot, maxFiles: 1 }, beforeTree!);

    expect(summary).toMatchObject({ truncatedFileList: true, totalAdded: 2 });
    expect(summary.files.map((file) => file.path)).toEqual(['a.txt']);
  });

  it('resolves with an error when the tree is unknown, malformed, or the directory is gone', async () => {
    const dir = await makeDir('plain', { 'a.txt': 'a\n' });
    const { beforeTree } = await startFileTracking({ cwd: dir, snapshotsRoot });
    const unknown = '0123456789abcdef0123456789abcdef01234567';

    const ofUnknown = await changesSince({ cwd: dir, snapshotsRoot }, unknown);
    const ofMalformed = await changesSince({ cwd: dir, snapshotsRoot }, '--all');
    const ofOtherRoot = await changesSince({ cwd: dir, snapshotsRoot: join(root, 'other') }, beforeTree!);
    await rm(dir, { recursive: true });
    const ofDeleted = await changesSince({ cwd: dir, snapshotsRoot }, beforeTree!);

    expect(ofUnknown).toMatchObject({ files: [], totalAdded: 0, totalRemoved: 0, beforeTree: unknown });
    expect(ofUnknown.error).toBe(
      `File changes were not recorded: the snapshot tree ${unknown} is not in the shadow repository of ${dir}` +
        ` under ${snapshotsRoot}; pass a tree recorded by a run in this directory, on this host, with the same` +
        ' snapshots directory.',
    );
    expect(ofMalformed.error).toMatch(/the snapshot tree "--all" is not a tree id/);
    expect(ofOtherRoot.error).toMatch(/is not in the shadow repository/);
    expect(ofDeleted.error).toMatch(/does not exist/);
  });
});

describe('FileTracking.beforeTree', () => {
  it('is the before-snapshot’s tree, known as soon as tracking starts, and undefined when it failed', async () => {
    const dir = await makeDir('plain', { 'a.txt': 'a\n' });

    const tracking = await startFileTracking({ cwd: dir, snapshotsRoot });
    const failed = await startFileTracking({ cwd: join(root, 'missing'), snapshotsRoot });
    const summary = await tracking.finish();

    expect(tracking.beforeTree).toMatch(/^[0-9a-f]{40}$/);
    expect(summary.beforeTree).toBe(tracking.beforeTree);
    expect(failed.beforeTree).toBeUndefined();
  });
});

describe('readPatchSections', () => {
  async function sections(chunks: string[], limit: number) {
    const result = [];
    for await (const section of readPatchSections(Readable.from(chunks.map((c) => Buffer.from(c))), limit)) {
      result.push(section);
    }
    return result;
  }

  it('splits at headers even when a header is split across chunks', async () => {
    expect(await sections(['diff --git a/x b/x\n+1\ndi', 'ff --git a/y b/y\n-2'], 100)).toEqual([
      { text: 'diff --git a/x b/x\n+1\n', truncated: false },
      { text: 'diff --git a/y b/y\n-2', truncated: false },
    ]);
  });

  it('keeps whole lines within the limit and nothing after the first line that does not fit', async () => {
    expect(await sections(['diff --git a\n+123\n+4567890\n+1\n'], 20)).toEqual([
      { text: 'diff --git a\n+123\n', truncated: true },
    ]);
  });

  it('does not mistake content lines for headers', async () => {
    expect(await sections(['diff --git a\n+diff --git b\n'], 100)).toHaveLength(1);
  });
});
