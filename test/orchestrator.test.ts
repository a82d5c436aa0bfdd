import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openChat } from '../src/orchestrator/open-chat.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import { managementTools } from '../src/tools/registry.ts';
import { useCommandAgentHarness } from './helpers/command-agents.ts';
import { useTestDatabase } from './helpers/database.ts';

describe('the orchestrator manages agents through the management tools', () => {
  const db = useTestDatabase();
  const harness = useCommandAgentHarness(db);

  it('creates alice, has her write hello.txt, waits for her and reports the cost the ledger holds', async () => {
    const { services, dir, server, worker } = await harness.setUp((cwd) => [
      // The orchestrator's turns.
      {
        ...turn(toolUse('mcp__baton__create_agent', { name: 'alice' })),
        match: { lastUserText: { contains: 'create an agent alice' } },
      },
      {
        ...reply('Created alice.'),
        match: { lastToolResult: { toolName: 'mcp__baton__create_agent', contains: 'Created agent alice' } },
      },
      {
        ...turn(
          toolUse('mcp__baton__command_agent', { name: 'alice', command: 'Write hello.txt saying hi.' }),
        ),
        match: { lastUserText: { contains: 'tell alice to write hello.txt' } },
      },
      {
        ...turn(toolUse('mcp__baton__wait_for_agent', { name: 'alice', timeout_s: 120 })),
        match: { lastToolResult: { toolName: 'mcp__baton__command_agent' } },
      },
      {
        ...reply('alice wrote hello.txt.'),
        match: { lastToolResult: { toolName: 'mcp__baton__wait_for_agent', contains: 'succeeded' } },
      },
      {
        ...turn(toolUse('mcp__baton__report_cost', {})),
        match: { lastUserText: { contains: 'what did it cost' } },
      },
      { ...reply('Here is the cost.'), match: { lastToolResult: { toolName: 'mcp__baton__report_cost' } } },
      // alice's turns.
      {
        ...turn(toolUse('Write', { file_path: join(cwd, 'hello.txt'), content: 'hi\n' })),
        match: { lastUserText: { contains: 'Write hello.txt saying hi.' } },
      },
      { ...reply('Wrote hello.txt.'), match: { lastToolResult: { toolName: 'Write' } } },
    ]);
    await worker();
    const chat = await openChat(services, dir, managementTools);
    harness.defer(() => chat.close());

    for (const text of ['create an agent alice', 'tell alice to write hello.txt', 'what did it cost?']) {
      const { message } = await chat.send(text);
      await chat.settled(message.id);
    }

    expect(readFileSync(join(dir, 'hello.txt'), 'utf8')).toBe('hi\n');
    const history = await chat.history({ limit: 100 });
    expect(history.filter((item) => item.kind === 'error')).toEqual([]);
    expect(history.map((item) => `${item.sender_type}:${item.kind}:${item.message}`)).toEqual([
      'user:text:create an agent alice',
      'orchestrator:tool_use:mcp__baton__create_agent',
      'orchestrator:text:Created alice.',
      'user:text:tell alice to write hello.txt',
      'orchestrator:tool_use:mcp__baton__command_agent',
      'orchestrator:tool_use:mcp__baton__wait_for_agent',
      'orchestrator:text:alice wrote hello.txt.',
      'user:text:what did it cost?',
      'orchestrator:tool_use:mcp__baton__report_cost',
      'orchestrator:text:Here is the cost.',
    ]);

    // alice belongs to the orchestrator, and her file change is recorded against her run.
    const orchestrator = await chat.orchestrator();
    const { rows: alice } = await services.db.pool.query(
      `select a.id, a.orchestrator_id, (select count(*)::int from file_changes f where f.agent_id = a.id and f.path = 'hello.txt') as changes
         from agents a where a.name = 'alice' and a.kind = 'command'`,
    );
    expect(alice).toEqual([expect.objectContaining({ orchestrator_id: orchestrator.id, changes: 1 })]);

    // report_cost gave the model alice's spend exactly as the usage ledger holds it.
    const { rows: ledger } = await services.db.pool.query<{ usd: number; input: number }>(
      `select sum(cost_usd)::float8 as usd, sum(input_tokens)::int as input from usage u
         join agents a on a.id = u.agent_id where a.name = 'alice' and a.kind = 'command'`,
    );
    const expected = `agent alice: $${ledger[0]!.usd.toFixed(4)} · in ${ledger[0]!.input} ·`;
    const seenByModel = server.messageRequests().map((request) => JSON.stringify(request.body));
    expect(seenByModel.some((body) => body.includes(expected))).toBe(true);
    server.assertComplete();
  });
});
