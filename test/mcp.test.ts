import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelAliases } from '../src/agent/models.ts';
import { startFakeModelServer, type FakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import { managementTools } from '../src/tools/registry.ts';
import { gitRepository, scratchDir, testRunner, testRuntime } from './helpers/agents.ts';
import { cliEnvironment, runBaton } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';

const batonBin = fileURLToPath(new URL('../bin/baton.js', import.meta.url));

describe('baton mcp and baton chat', () => {
  const db = useTestDatabase();
  let home: Awaited<ReturnType<typeof scratchDir>>;
  let work: Awaited<ReturnType<typeof scratchDir>>;
  let server: FakeModelServer;

  beforeAll(async () => {
    home = await scratchDir('mcp-home');
    work = await scratchDir('mcp-work');
    await gitRepository(work.path, { 'README.md': '# mcp\n' });
    server = await startFakeModelServer({
      script: [
        // bob, commanded through MCP.
        { ...reply('Hi from bob.'), match: { lastUserText: { contains: 'say hi, bob' } } },
        // A Claude Code agent that was given baton's MCP server.
        {
          ...turn(toolUse('mcp__baton__list_agents', {})),
          match: { lastUserText: { contains: 'who is there' } },
        },
        {
          ...reply('bob is there.'),
          match: { lastToolResult: { toolName: 'mcp__baton__list_agents', contains: 'bob' } },
        },
        // The orchestrator, through `baton chat`.
        {
          ...turn(toolUse('mcp__baton__create_agent', { name: 'carol' })),
          match: { lastUserText: { contains: 'make carol' } },
        },
        { ...reply('carol is ready.'), match: { lastToolResult: { toolName: 'mcp__baton__create_agent' } } },
      ],
    });
  });
  afterAll(async () => {
    await server.close();
    await home.remove();
    await work.remove();
  });

  const environment = () => ({
    ...cliEnvironment({}),
    DATABASE_URL: db.current.url,
    BATON_HOME: home.path,
    ANTHROPIC_BASE_URL: server.url,
    ANTHROPIC_API_KEY: 'sk-ant-mcp-test',
    BATON_MODEL_MAX_RETRIES: '1',
    BATON_SUMMARIES: 'off',
  });

  it('serves the management tools over stdio: list, then create, command and wait for an agent', async () => {
    const client = new Client({ name: 'baton-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [batonBin, 'mcp', '--cwd', work.path],
        env: environment(),
        stderr: 'pipe',
      }),
    );
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(managementTools.map((tool) => tool.name));
      const create = tools.find((tool) => tool.name === 'create_agent')!;
      expect(Object.keys(create.inputSchema.properties ?? {})).toEqual([
        'name',
        'system_prompt',
        'model',
        'template',
        'worktree',
      ]);

      const created = await client.callTool({ name: 'create_agent', arguments: { name: 'bob' } });
      expect(created.isError).toBeFalsy();
      const commanded = await client.callTool({
        name: 'command_agent',
        arguments: { name: 'bob', command: 'say hi, bob' },
      });
      expect(commanded.structuredContent).toMatchObject({ prompt_id: expect.any(String) });
      const waited = await client.callTool({
        name: 'wait_for_agent',
        arguments: { name: 'bob', timeout_s: 120 },
      });
      expect((waited.content as { text: string }[])[0]!.text).toMatch(/succeeded[\s\S]*Hi from bob\./);

      const refused = await client.callTool({
        name: 'command_agent',
        arguments: { name: 'nobody', command: 'hi' },
      });
      expect(refused.isError).toBe(true);
      expect(refused.structuredContent).toMatchObject({ field: 'name' });
    } finally {
      await client.close();
    }
  });

  it("gives a Claude Code agent baton's MCP server, and the agent calls one of its tools", async () => {
    const { runner, writer, sessions } = testRunner(db.current.pool, testRuntime(home.path, server.url));
    try {
      const run = await runner.start({
        cwd: work.path,
        prompt: 'who is there?',
        model: modelAliases.sonnet,
        author: 'engineer',
        mcpServers: {
          baton: {
            type: 'stdio',
            command: process.execPath,
            args: [batonBin, 'mcp', '--cwd', work.path],
            env: environment(),
          },
        },
      });
      const { run: row } = await run.done;
      expect(row.status).toBe('succeeded');
      expect(row.result_text).toBe('bob is there.');
    } finally {
      await writer.close();
      await sessions.close();
    }
  });

  it('baton chat runs one orchestrator turn and prints its tool use and reply', async () => {
    const chat = await runBaton(['chat', 'make carol, please', '--cwd', work.path], environment());
    expect(chat.stderr).toBe('');
    expect(chat.code).toBe(0);
    expect(chat.stdout).toMatch(/⚙ create_agent \{"name":"carol"\}\ncarol is ready\./);
    const listed = await runBaton(['agents', 'ls', '--cwd', work.path, '--json'], environment());
    expect(JSON.parse(listed.stdout).agents.map((agent: { name: string }) => agent.name)).toEqual([
      'bob',
      'carol',
    ]);
    const empty = await runBaton(['chat', '  ', '--cwd', work.path], environment());
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/message is empty/);
  });
});
