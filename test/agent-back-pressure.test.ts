import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelAliases } from '../src/agent/models.ts';
import type { EventDraft } from '../src/core/events.ts';
import { storableEvent } from '../src/db/event-append.ts';
import { heldBytes } from '../src/db/event-writer.ts';
import { readEventsAfter } from '../src/db/events.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import { useAgentHarness } from './helpers/agents.ts';
import { useTestDatabase } from './helpers/database.ts';
import { until } from './helpers/wait.ts';

const appendLockKey = 0x6576656e7473; // the lock insertEvents takes (src/db/events.ts)

describe('an agent run whose events cannot be written as fast as it makes them', () => {
  const db = useTestDatabase();
  const { setUp, defer } = useAgentHarness(db);

  it('holds Claude Code at its next hook while the buffer is full, then records every event once', async () => {
    const { dir, server, runner, writer } = await setUp(
      (dir) => [
        turn(toolUse('Write', { file_path: join(dir, 'b.txt'), content: 'b\n' })),
        { ...reply('Written.'), match: { lastToolResult: { toolName: 'Write' } } },
      ],
      // A budget of one byte: one event at a time is let in, the next waits for it to be stored.
      { runner: { writer: { bufferBytes: 1 } } },
    );
    // Another transaction holds the append lock, so no event can be stored for now.
    const blocker = await db.current.pool.connect();
    defer(async () => blocker.release());
    await blocker.query('begin');
    await blocker.query('select pg_advisory_xact_lock($1)', [appendLockKey]);

    const live: EventDraft[] = [];
    const run = await runner.start({
      prompt: 'Write b.txt',
      cwd: dir,
      model: modelAliases.haiku,
      author: 'engineer',
      onEvent: (event) => live.push(event),
    });
    // UserPromptSubmit is a hook: Claude Code waits for its answer before it calls the model.
    await until(
      async () => live.some((event) => event.type === 'UserPromptSubmit') || undefined,
      'the prompt is submitted',
    );
    expect(server.messageRequests(), 'Claude Code waits at its hook').toHaveLength(0);
    expect(writer.pending, 'every event seen is still waiting to be stored').toBe(live.length);
    // One event is held (budget + one event), an upper bound of its size as the writer counts it:
    const sizes = live.map((event) => heldBytes(storableEvent(event)));
    expect(writer.bufferedBytes).toBeLessThanOrEqual(Math.max(...sizes));

    await blocker.query('commit');
    const { run: row, result } = await run.done;
    server.assertComplete();
    expect(row.status).toBe('succeeded');
    expect(existsSync(join(dir, 'b.txt'))).toBe(true);
    const events = await readEventsAfter(db.current.pool, 0, { runId: run.runId }, 10_000);
    expect(events.map((event) => event.id)).toEqual(live.map((event) => event.id));
    expect(result.eventWaitMs).toBeGreaterThan(0);
    expect(events.at(-1)!.payload.event_wait_ms).toBe(result.eventWaitMs);
  });
});
