import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { until } from './wait.ts';

const run = promisify(execFile);
const batonBin = fileURLToPath(new URL('../../bin/baton.js', import.meta.url));
const exitLine = /^baton exited with (\d+)$/m;

/**
 * `baton` in a real terminal: a tmux pane of a given size, on a tmux server of its own (its own
 * socket), so a person's tmux is never touched. The pane keeps its content after baton exits.
 */
export async function startInTmux(options: {
  args: string[];
  env: Record<string, string>;
  columns: number;
  rows: number;
  /** Where the launcher script is written. */
  dir: string;
}) {
  const socket = `baton-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...args: string[]) => run('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  const script = join(options.dir, `${socket}.sh`);
  // The environment is the test's own (env -i): nothing from the tmux server's or the developer's.
  await writeFile(
    script,
    [
      '#!/bin/sh',
      // Ctrl-C reaches the whole foreground group, this shell too: it must live on to report the code.
      // (A trap that runs a command, unlike an ignored signal, is not inherited by baton.)
      "trap 'true' INT",
      `env -i ${Object.entries(options.env)
        .map(([name, value]) => quote(`${name}=${value}`))
        .join(' ')} ${quote(process.execPath)} ${quote(batonBin)} ${options.args.map(quote).join(' ')}`,
      'echo "baton exited with $?"',
      'exec sleep 3600',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  // No one's ~/.tmux.conf, and a history deep enough to hold the whole run: stale frames are found there.
  const config = join(options.dir, `${socket}.conf`);
  await writeFile(config, 'set -g history-limit 50000\nset -g remain-on-exit on\n');
  await tmux(
    '-f',
    config,
    'new-session',
    '-d',
    '-s',
    'baton',
    '-x',
    String(options.columns),
    '-y',
    String(options.rows),
    script,
  );

  /** The visible pane, or with `history` the scrollback too; `join` rejoins lines the terminal wrapped. */
  async function capture(options: { history?: boolean; join?: boolean } = {}): Promise<string> {
    const args = ['capture-pane', '-p', '-t', 'baton'];
    if (options.history) args.push('-S', '-');
    if (options.join) args.push('-J');
    return (await tmux(...args)).stdout;
  }

  return {
    capture,
    async waitFor(pattern: RegExp, what: string, timeoutMs = 120_000): Promise<string> {
      return until(
        async () => {
          const screen = await capture({ history: true });
          return pattern.test(screen) ? screen : undefined;
        },
        `${what} in the tmux pane`,
        timeoutMs,
      ).catch(async (error: Error) => {
        throw new Error(`${error.message}\n--- pane ---\n${await capture({ history: true })}`);
      });
    },
    /** Waits for baton to exit; its exit code. */
    async exited(timeoutMs = 120_000): Promise<number> {
      const screen = await this.waitFor(exitLine, 'baton to exit', timeoutMs);
      return Number(exitLine.exec(screen)![1]);
    },
    sendKeys: (...keys: string[]) => tmux('send-keys', '-t', 'baton', ...keys),
    resize: (columns: number) => tmux('resize-window', '-t', 'baton', '-x', String(columns)),
    close: () => tmux('kill-server').catch(() => {}),
  };
}
