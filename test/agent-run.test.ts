import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelAliases } from '../src/agent/models.ts';
import { defaultPrices, priceUsage } from '../src/agent/pricing.ts';
import type { EventDraft } from '../src/core/events.ts';
import { readEventsAfter } from '../src/db/events.ts';
import { listFileChanges } from '../src/db/file-changes.ts';
import type { Turn } from '../src/testing/fake-model-server/index.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import { useAgentHarness } from './helpers/agents.ts';
import { useTestDatabase } from './helpers/database.ts';

const model = modelAliases.sonnet;

/** A scripted session that reads, edits, writes and runs a shell command, with known usage per call. */
function editingScript(dir: string): Turn[] {
  const usage = (n: number) => ({
    input_tokens: 1_000 + n,
    output_tokens: 40 + n,
    cache_read_input_tokens: 500 * n,
    cache_creation_input_tokens: 100,
  });
  return [
    { ...turn(toolUse('Read', { file_path: join(dir, 'README.md') })), usage: usage(1) },
    {
      ...turn(
        toolUse('Edit', {
          file_path: join(dir, 'README.md'),
          old_string: 'An old line.',
          new_string: 'A new line.\nAnother new line.',
        }),
      ),
      match: { lastToolResult: { toolName: 'Read' } },
      usage: usage(2),
    },
    {
      ...turn(toolUse('Write', { file_path: join(dir, 'src.txt'), content: 'one\ntwo\nthree\n' })),
      match: { lastToolResult: { toolName: 'Edit' } },
      usage: usage(3),
    },
    {
      ...turn(toolUse('Bash', { command: 'rm obsolete.txt && echo "removed; key=$ANTHROPIC_API_KEY"' })),
      match: { lastToolResult: { toolName: 'Write' } },
      usage: usage(4),
    },
    {
      ...reply('All four changes are done.'),
      match: { lastToolResult: { toolName: 'Bash' } },
      usage: usage(5),
    },
  ];
}

const initialFiles = { 'README.md': '# Project\nAn old line.\nKept.\n', 'obsolete.txt': 'bye\n' };

describe('agent runs on real Claude Code', () => {
  const db = useTestDatabase();
  const { setUp } = useAgentHarness(db);

  for (const kind of ['git', 'plain'] as const) {
    it(`records a run that reads, edits, writes and runs Bash (${kind} directory)`, async () => {
      const pool = db.current.pool;
      const {
        dir: workDir,
        server,
        runner,
      } = await setUp(editingScript, { files: initialFiles, plain: kind === 'plain' });

      const live: EventDraft[] = [];
      const run = await runner.start({
        prompt: 'Tidy the project',
        cwd: workDir,
        model,
        author: 'engineer',
        onEvent: (event) => live.push(event),
      });
      const { run: row, result } = await run.done;
      server.assertComplete();

      // The files really changed on disk.
      expect(readFileSync(join(workDir, 'README.md'), 'utf8')).toBe(
        '# Project\nA new line.\nAnother new line.\nKept.\n',
      );
      expect(readFileSync(join(workDir, 'src.txt'), 'utf8')).toBe('one\ntwo\nthree\n');
      expect(existsSync(join(workDir, 'obsolete.txt'))).toBe(false);

      expect(row.status).toBe('succeeded');
      expect(row.num_turns).toBeGreaterThanOrEqual(5);
      expect(row.session_id).toMatch(/^[0-9a-f-]{36}$/);

      // Events are in the ledger, in order, and the hooks carry the real tool responses.
      const events = await readEventsAfter(pool, 0, { runId: run.runId }, 10_000);
      expect(events.length).toBe(live.length);
      expect(events.map((event) => event.id)).toEqual(live.map((event) => event.id));
      expect(events[0]!.type).toBe('RunStarted');
      expect(events.at(-1)!.type).toBe('RunEnded');
      const types = events.map((event) => event.type);
      for (const type of [
        'SystemInit',
        'UserPromptSubmit',
        'ToolUseBlock',
        'PreToolUse',
        'PostToolUse',
        'ToolResultBlock',
        'TextBlock',
        'Stop',
        'Result',
        'FileChanges',
      ]) {
        expect(types, type).toContain(type);
      }
      // Claude Code runs these two only from settings; baton still records them with their real fields.
      expect(events.find((event) => event.type === 'SessionStart')?.payload).toMatchObject({
        source: 'startup',
      });
      expect(events.find((event) => event.type === 'SessionEnd')?.payload).toHaveProperty('reason');
      const post = (tool: string) =>
        events.find((event) => event.type === 'PostToolUse' && event.payload.tool_name === tool)!.payload;
      expect(JSON.stringify(post('Read').tool_response)).toContain('An old line.');
      expect(JSON.stringify(post('Bash').tool_response)).toContain('removed');
      expect(post('Edit').tool_input).toMatchObject({ old_string: 'An old line.' });
      const toolOrder = events
        .filter((event) => event.type === 'PreToolUse')
        .map((event) => event.payload.tool_name);
      expect(toolOrder).toEqual(['Read', 'Edit', 'Write', 'Bash']);
      expect(
        events.find((event) => event.type === 'ToolUseBlock' && event.payload.tool_name === 'Edit')!.summary,
      ).toBe('Edit README.md (+2 −1)');

      // Secrets never reach the ledger, even when the agent prints them.
      const everything = JSON.stringify(events);
      expect(everything).not.toContain('sk-ant-test-key-not-real');
      expect(everything).toContain('sk-ant-[REDACTED]');

      // One usage row per model call, exactly as the model server reported, priced by baton.
      const usage = await pool.query(
        'select input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, model from usage where run_id = $1 order by input_tokens',
        [run.runId],
      );
      expect(usage.rows).toHaveLength(5);
      let expectedCost = 0;
      usage.rows.forEach((usageRow, i) => {
        const n = i + 1;
        const figures = {
          inputTokens: 1_000 + n,
          outputTokens: 40 + n,
          cacheReadTokens: 500 * n,
          cacheCreationTokens: 100,
        };
        expect(usageRow).toMatchObject({
          input_tokens: figures.inputTokens,
          output_tokens: figures.outputTokens,
          cache_read_tokens: figures.cacheReadTokens,
          cache_creation_tokens: figures.cacheCreationTokens,
          model,
        });
        const cost = priceUsage(defaultPrices, model, figures)!;
        expect(usageRow.cost_usd).toBeCloseTo(cost, 6);
        expectedCost += cost;
      });
      expect(row.cost_usd).toBeCloseTo(expectedCost, 6);
      expect(row.input_tokens).toBe(5_015);
      expect(row.output_tokens).toBe(215);
      // The context window is the last call's input plus cache, not a running total.
      expect(row.context_tokens).toBe(1_005 + 2_500 + 100);
      // Claude Code prices the same calls the same way.
      expect(row.sdk_cost_usd).toBeCloseTo(expectedCost, 6);
      expect(result.costUsd).toBeCloseTo(expectedCost, 6);

      // File changes of this run: statuses, line counts and diffs.
      const changes = await listFileChanges(pool, run.runId);
      expect(
        changes.map(({ path, status, lines_added, lines_removed }) => ({
          path,
          status,
          lines_added,
          lines_removed,
        })),
      ).toEqual([
        { path: 'README.md', status: 'modified', lines_added: 2, lines_removed: 1 },
        { path: 'obsolete.txt', status: 'deleted', lines_added: 0, lines_removed: 1 },
        { path: 'src.txt', status: 'created', lines_added: 3, lines_removed: 0 },
      ]);
      expect(changes[0]!.diff).toContain('-An old line.');
      expect(changes[0]!.diff).toContain('+Another new line.');
      expect(changes[2]!.diff).toContain('+two');

      const agent = await pool.query('select status, session_id from agents where id = $1', [run.agentId]);
      expect(agent.rows[0]).toEqual({ status: 'idle', session_id: row.session_id });
    });
  }
});
