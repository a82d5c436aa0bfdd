import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reply } from '../src/testing/fake-model-server/turns.ts';
import { callTool } from '../src/tools/call-tool.ts';
import { findTool, managementTools } from '../src/tools/registry.ts';
import type { ToolContext } from '../src/tools/tool.ts';
import { useCommandAgentHarness } from './helpers/command-agents.ts';
import { useTestDatabase } from './helpers/database.ts';

const unknownId = '0b5e8f3c-1d2a-4c3b-9f8e-7a6b5c4d3e2f';

describe('management tools over the services', () => {
  const db = useTestDatabase();
  const { setUp } = useCommandAgentHarness(db);
  const call = (context: ToolContext, name: string, args: unknown) =>
    callTool(findTool(name)!, args, context);

  it('lists every tool once, each with a description and an object input', () => {
    const names = managementTools.map((tool) => tool.name);
    expect(names).toEqual([
      'create_agent',
      'list_agents',
      'command_agent',
      'check_agent_status',
      'wait_for_agent',
      'interrupt_agent',
      'delete_agent',
      'read_system_logs',
      'report_cost',
      'start_adw',
      'check_adw',
      'list_adws',
      'cancel_adw',
      'resume_adw',
      'ask_expert',
      'improve_expert',
    ]);
    for (const tool of managementTools) expect(tool.description.length).toBeGreaterThan(40);
  });

  it('create → command → wait → status → list → report_cost (as the usage ledger says) → delete → logs', async () => {
    const h = await setUp([
      {
        ...reply('Hello from alice.'),
        match: { lastUserText: { contains: 'say hello' } },
        usage: {
          input_tokens: 1234,
          output_tokens: 56,
          cache_read_input_tokens: 700,
          cache_creation_input_tokens: 80,
        },
      },
    ]);
    await h.worker();
    const context = { services: h.services, cwd: h.dir };
    const created = await call(context, 'create_agent', { name: 'alice', system_prompt: 'You are Alice.' });
    expect(created.isError).toBeUndefined();
    expect(created.structured.agent).toMatchObject({ name: 'alice', status: 'idle' });

    const commanded = await call(context, 'command_agent', { name: 'alice', command: 'Please say hello' });
    expect(commanded.text).toMatch(/prompt id [0-9a-f-]{36}/);
    const promptId = commanded.structured.prompt_id as string;

    const waited = await call(context, 'wait_for_agent', { name: 'alice', timeout_s: 120 });
    expect(waited.structured).toMatchObject({
      timed_out: false,
      command: { prompt_id: promptId, status: 'succeeded', result: 'Hello from alice.' },
    });
    expect(waited.text).toContain('Result: Hello from alice.');

    const status = await call(context, 'check_agent_status', { name: 'alice', tail: 50 });
    expect(status.structured.agent).toMatchObject({ status: 'idle', queue: [] });
    expect((status.structured.events as { type: string }[]).map((event) => event.type)).toEqual(
      expect.arrayContaining(['RunStarted', 'TextBlock', 'RunEnded']),
    );

    const listed = await call(context, 'list_agents', {});
    expect((listed.structured.agents as { name: string }[]).map((agent) => agent.name)).toEqual(['alice']);

    const ledger = await db.current.pool.query(
      `select sum(u.input_tokens)::float8 as input, sum(u.output_tokens)::float8 as output,
              sum(u.cache_read_tokens)::float8 as cache_read, sum(u.cache_creation_tokens)::float8 as cache_write,
              sum(u.cost_usd)::float8 as usd
         from usage u join agents a on a.id = u.agent_id where a.name = 'alice'`,
    );
    const row = ledger.rows[0];
    expect(row.input).toBe(1234);
    const cost = await call(context, 'report_cost', {});
    const [alice] = cost.structured.agents as Record<string, number>[];
    expect(alice).toMatchObject({
      input_tokens: row.input,
      output_tokens: row.output,
      cache_read_tokens: row.cache_read,
      cache_creation_tokens: row.cache_write,
      context_tokens: 1234 + 700 + 80,
    });
    expect(alice!.cost_usd).toBeCloseTo(row.usd, 6);
    expect(cost.structured.total_usd).toBeCloseTo(row.usd, 6);

    const interrupted = await call(context, 'interrupt_agent', { name: 'alice' });
    expect(interrupted.text).toMatch(/not running/);
    const deleted = await call(context, 'delete_agent', { name: 'alice' });
    expect(deleted.text).toMatch(/Deleted alice/);
    const logs = await call(context, 'read_system_logs', { contains: 'alice', level: 'info' });
    expect((logs.structured.logs as { message: string }[]).map((log) => log.message)).toEqual([
      expect.stringMatching(/Agent alice deleted/),
      expect.stringMatching(/Agent alice created/),
    ]);
  });

  it('answers bad input on every tool with a tool error naming the field, and records nothing', async () => {
    const h = await setUp([]);
    const context = { services: h.services, cwd: h.dir };
    mkdirSync(join(h.dir, '.claude', 'agents'), { recursive: true });
    writeFileSync(join(h.dir, '.claude', 'agents', 'broken.md'), '---\nname: [unclosed\n---\nbody\n');
    await call(context, 'create_agent', { name: 'bob' });
    await call(context, 'create_agent', { name: 'gone' });
    await call(context, 'delete_agent', { name: 'gone' });
    const agentsBefore = (await db.current.pool.query('select count(*)::int as n from agents')).rows[0].n;

    const cases: [string, unknown, string, RegExp?][] = [
      ['create_agent', { name: '' }, 'name'],
      ['create_agent', { name: 'bob' }, 'name', /already in use/],
      ['create_agent', { name: 'has space' }, 'name'],
      [
        'create_agent',
        { name: 'carol', template: 'nope' },
        'template',
        /Unknown agent template "nope".*broken\.md/,
      ],
      ['create_agent', { name: 'carol', model: 'gpt' }, 'model'],
      ['create_agent', { name: 'carol', worktree: 'yes' }, 'worktree'],
      ['command_agent', { name: 'nobody', command: 'hi' }, 'name', /No agent named "nobody".*agents: bob/],
      ['command_agent', { name: 'bob', command: '   ' }, 'command', /empty/],
      ['command_agent', { name: 'gone', command: 'hi' }, 'name', /was deleted/],
      ['command_agent', { name: 'bob' }, 'command'],
      ['check_agent_status', { name: 'nobody' }, 'name'],
      ['check_agent_status', { name: 'bob', tail: 0 }, 'tail'],
      ['wait_for_agent', { name: 'nobody' }, 'name'],
      ['wait_for_agent', { name: 'bob', timeout_s: -1 }, 'timeout_s'],
      ['wait_for_agent', { name: 'bob', prompt_id: unknownId }, 'prompt_id'],
      ['interrupt_agent', { name: 'nobody' }, 'name'],
      ['delete_agent', { name: 'nobody' }, 'name'],
      ['read_system_logs', { level: 'LOUD' }, 'level'],
      ['read_system_logs', { limit: 0 }, 'limit'],
      ['start_adw', { workflow: 'plan_build', prompt: ' ' }, 'prompt'],
      ['start_adw', { workflow: 'no_such_flow', prompt: 'x' }, 'workflow', /Unknown workflow "no_such_flow"/],
      [
        'start_adw',
        { workflow: 'plan_build', prompt: 'x', budgets: { max_cost_usd: -2 } },
        'budgets.max_cost_usd',
      ],
      ['check_adw', { id: unknownId }, 'id', /No ADW/],
      ['check_adw', { id: 'not-an-id' }, 'id'],
      ['cancel_adw', { id: unknownId }, 'id'],
      ['resume_adw', { id: unknownId }, 'id'],
      ['ask_expert', { domain: '../etc', question: 'q' }, 'domain'],
      ['ask_expert', { domain: 'nobody', question: 'q' }, 'domain', /No expert "nobody"/],
      ['ask_expert', { domain: 'db', question: ' ' }, 'question'],
      ['improve_expert', { domain: 'nobody' }, 'domain', /No expert "nobody"/],
      ['improve_expert', { domain: 'db', max_rounds: 0 }, 'max_rounds'],
    ];
    for (const [tool, args, field, message] of cases) {
      const result = await call(context, tool, args);
      expect(result.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
      expect(result.structured.field, `${tool} ${JSON.stringify(args)}: ${result.text}`).toBe(field);
      if (message) expect(result.text).toMatch(message);
    }
    expect((await db.current.pool.query('select count(*)::int as n from agents')).rows[0].n).toBe(
      agentsBefore,
    );
    const commands = await db.current.pool.query(
      'select count(*)::int as n from agent_commands c join agents a on a.id = c.agent_id where a.workspace = $1',
      [h.dir],
    );
    expect(commands.rows[0].n).toBe(0);
  });
});
