import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { changesSince } from '../../agent/file-tracker.ts';
import { fileChangeSummary } from '../../agent/run-outcome.ts';
import type { AgentRuntime } from '../../agent/run-agent.ts';
import { killProcessGroup } from '../../agent/spawn-claude-code.ts';
import { EventType } from '../../core/events.ts';
import { newId } from '../../core/ids.ts';
import { setAgentStatus } from '../../db/agents.ts';
import { insertEvents } from '../../db/events.ts';
import { insertFileChanges } from '../../db/file-changes.ts';
import { inTransaction, type Pool } from '../../db/pool.ts';
import { failRun, runningRunsOnHost, type AbandonedRun } from '../../db/runs.ts';

export interface AbandonedRunDeps {
  pool: Pool;
  runtime: Pick<AgentRuntime, 'snapshotsRoot' | 'diffLimitBytes'>;
}

/**
 * Ends a run that no process drives any more (its baton process died, or a newer attempt of its ADW step
 * supersedes it), so the ledger tells its end like any other run's: on this host its Claude Code process
 * is killed first, what it changed since its before-snapshot is attributed to it, and a RunEnded event
 * records the end, all with the run row in one transaction. On another host the process died with its
 * parent (parent-death signal) and the snapshot is not here, so the RunEnded says the changes are unknown.
 */
export async function endAbandonedRun(
  deps: AbandonedRunDeps,
  run: AbandonedRun,
  reason: string,
): Promise<void> {
  const here = run.host === hostname();
  if (here && run.agent_pid) await killClaudeCode(run.agent_pid);
  const changes =
    here && run.before_tree
      ? await changesSince(
          {
            cwd: run.working_dir,
            snapshotsRoot: deps.runtime.snapshotsRoot,
            diffLimitBytes: deps.runtime.diffLimitBytes,
          },
          run.before_tree,
        )
      : undefined;
  const files = changes?.files ?? [];
  await inTransaction(deps.pool, async (client) => {
    const ended = await failRun(client, run.id, reason);
    if (!ended) return; // it ended meanwhile
    await insertFileChanges(client, run.id, run.agent_id, files);
    await setAgentStatus(client, run.agent_id, 'blocked');
    await insertEvents(client, [
      {
        id: newId(),
        category: 'system',
        type: EventType.RunEnded,
        agentId: run.agent_id,
        runId: run.id,
        sessionId: run.session_id ?? undefined,
        adwId: run.adw_id ?? undefined,
        adwStep: run.adw_step ?? undefined,
        payload: {
          status: 'failed',
          stop_reason: 'abandoned',
          error: reason,
          num_turns: ended.num_turns,
          cost_usd: ended.cost_usd,
          files_changed: changes ? files.length : null,
          file_changes_error: changes
            ? (changes.error ?? null)
            : here
              ? 'no before-snapshot was recorded for this run'
              : `the run worked on host ${run.host}, whose snapshots are not here`,
        },
        summary: `Run failed: ${reason}${changes && !changes.error ? ` · ${fileChangeSummary(changes)}` : ''}`,
        occurredAt: new Date(),
      },
    ]);
  });
}

/**
 * Runs left running on this host by baton processes that no longer exist (killed, crashed, rebooted) are
 * ended, so the ledger never shows a run that nobody drives.
 */
export async function endOrphanedRuns(
  deps: AbandonedRunDeps,
  isAlive: (pid: number) => boolean,
): Promise<number> {
  const orphans = (await runningRunsOnHost(deps.pool, hostname())).filter((run) => !isAlive(run.pid));
  for (const run of orphans) {
    await endAbandonedRun(deps, run, 'The baton process driving this run exited before it ended');
  }
  return orphans.length;
}

/**
 * Kills a Claude Code process group and waits for it to go. A pid recorded long ago may belong to another
 * program by now (after a reboot): only a process whose command line names Claude Code is killed.
 */
async function killClaudeCode(pid: number): Promise<void> {
  const commandLine = () => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return undefined;
    }
  };
  const line = commandLine();
  if (line === undefined || !/claude/i.test(line)) return;
  killProcessGroup(pid);
  // A zombie (dead, not yet reaped) has an empty command line.
  for (let waited = 0; waited < 5_000 && commandLine(); waited += 50) await sleep(50);
}
