import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatPrinter } from '../src/cli/chat-printer.ts';
import type { ChatRow } from '../src/db/chat.ts';
import { startFakeModelServer, type FakeModelServer } from '../src/testing/fake-model-server/index.ts';
import { reply } from '../src/testing/fake-model-server/turns.ts';
import { gitRepository, scratchDir } from './helpers/agents.ts';
import { cliEnvironment, runBaton, startBaton } from './helpers/cli.ts';
import { useTestDatabase } from './helpers/database.ts';
import { until } from './helpers/wait.ts';

const item = (id: string, kind: string, message: string) =>
  ({ id, kind, message, sender_type: 'orchestrator', metadata: {} }) as unknown as ChatRow;

function printer() {
  let out = '';
  const print = createChatPrinter(
    (text) => (out += text),
    () => {},
  );
  return { print, output: () => out };
}

describe('the chat printer prints each reply block once, tokens first', () => {
  it('prints streamed tokens, then only the rest of the block when it is recorded', () => {
    const { print, output } = printer();
    print.delta({ kind: 'text', text: 'Hel' });
    expect(output()).toBe('Hel');
    print.item(item('a', 'text', 'Hello there'));
    expect(output()).toBe('Hello there\n');
    print.delta({ kind: 'text', text: 'lo there' }); // late tokens of a block already printed
    print.delta({ kind: 'text', text: 'Next' });
    expect(output()).toBe('Hello there\nNext');
  });

  it('ends the line of a block that streamed in full, and prints an item that comes again only once', () => {
    const { print, output } = printer();
    print.delta({ kind: 'text', text: 'Done.' });
    print.item(item('a', 'text', 'Done.'));
    print.item(item('a', 'text', 'Done.'));
    print.delta({ kind: 'thinking', text: 'not shown as tokens' });
    print.item(item('b', 'tool_use', 'mcp__baton__list_agents'));
    expect(output()).toBe('Done.\n⚙ list_agents {}\n');
  });

  it('keeps line breaks and escapes control characters', () => {
    const { print, output } = printer();
    print.item(item('a', 'text', 'one\ntwo \u001b[2J'));
    expect(output()).toBe('one\ntwo \\x1b[2J\n');
  });
});

describe('baton chat', () => {
  const db = useTestDatabase();
  let home: Awaited<ReturnType<typeof scratchDir>>;
  let work: Awaited<ReturnType<typeof scratchDir>>;
  let server: FakeModelServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    home = await scratchDir('chat-cli-home');
    work = await scratchDir('chat-cli-work');
    await gitRepository(work.path, { 'README.md': '# chat\n' });
    server = await startFakeModelServer({
      script: [
        // A model in the middle of its reply: a third of the block is streamed, then nothing more.
        {
          ...reply('Let me think about the agents you have.'),
          match: { lastUserText: { contains: 'think aloud' } },
          stall: { afterDeltas: 1 },
        },
        { ...reply('Nothing to manage yet.'), match: { lastUserText: { contains: 'anything to do' } } },
      ],
    });
    env = {
      ...cliEnvironment({}),
      DATABASE_URL: db.current.url,
      BATON_HOME: home.path,
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'sk-ant-chat-cli-test',
      BATON_MODEL_MAX_RETRIES: '1',
      BATON_SUMMARIES: 'off',
    };
  });
  afterAll(async () => {
    await server.close();
    await home.remove();
    await work.remove();
  });

  const orchestratorItems = async () =>
    (
      await db.current.pool.query<{ kind: string; message: string }>(
        `select kind, message from orchestrator_chat where sender_type = 'orchestrator' order by position`,
      )
    ).rows;

  it('prints the reply’s tokens as they stream, before the block is recorded; Ctrl-C interrupts the turn', async () => {
    const chat = startBaton(['chat', 'think aloud', '--cwd', work.path], env);
    await chat.waitFor(/Let me/);
    // The text on the terminal came from the live tokens: no chat item holds it yet.
    expect(await orchestratorItems()).toEqual([]);
    chat.child.kill('SIGINT');
    await chat.exited;
    await until(async () => {
      const { rows } = await db.current.pool.query<{ status: string }>(
        `select status from orchestrator_chat where sender_type = 'user' and message = 'think aloud'`,
      );
      return rows[0]?.status === 'interrupted' ? true : undefined;
    }, 'the turn to be recorded as interrupted');
  });

  it('prints a reply that streamed in full once, and records the turn', async () => {
    const result = await runBaton(['chat', 'anything to do?', '--cwd', work.path], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('Nothing to manage yet.')).toHaveLength(2);
    expect(await orchestratorItems()).toContainEqual({ kind: 'text', message: 'Nothing to manage yet.' });
    server.assertComplete();
  });
});
