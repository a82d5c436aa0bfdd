import { Worker } from 'node:worker_threads';

/**
 * The CPU the Claude Code processes among this process's children have used, as last seen in /proc, read
 * every `intervalMs` by a thread of its own (so a busy event loop does not delay it; what a process uses
 * in its last interval before exiting is missed). Also reports that thread's own CPU, to subtract.
 */
export function watchClaudeCpu(claudeCodePath: string, intervalMs = 5) {
  const shared = new Float64Array(new SharedArrayBuffer(16)); // [Claude Code CPU ms, the thread's CPU ms]
  const thread = new Worker(
    `
    const { readFileSync, readdirSync, readlinkSync } = require('node:fs');
    const { workerData } = require('node:worker_threads');
    const { shared, parent, claudeCode, intervalMs } = workerData;
    const seen = new Map();
    const isClaude = new Map();
    const ticks = (stat, fields) => fields.reduce((sum, i) => sum + Number(stat[i]), 0) * 10; // 100 a second
    setInterval(() => {
      for (const task of readdirSync('/proc/' + parent + '/task')) {
        let children = '';
        try { children = readFileSync('/proc/' + parent + '/task/' + task + '/children', 'utf8'); } catch {}
        for (const entry of children.split(' ').filter(Boolean)) {
          try {
            if (!isClaude.get(entry)) isClaude.set(entry, readlinkSync('/proc/' + entry + '/exe') === claudeCode);
            if (!isClaude.get(entry)) continue;
            seen.set(entry, ticks(readFileSync('/proc/' + entry + '/stat', 'utf8').split(') ')[1].split(' '), [11, 12, 13, 14]));
          } catch {}
        }
      }
      let total = 0;
      for (const ms of seen.values()) total += ms;
      shared[0] = total;
      shared[1] = ticks(readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' '), [11, 12]);
    }, intervalMs);
    `,
    { eval: true, workerData: { shared, parent: process.pid, claudeCode: claudeCodePath, intervalMs } },
  );
  thread.unref();
  return {
    claudeMs: () => shared[0]!,
    samplerMs: () => shared[1]!,
    stop: () => thread.terminate(),
  };
}
