import { readFileSync } from 'node:fs';
import type {
  HookInput,
  NotificationHookInput,
  PostToolUseFailureHookInput,
  PostToolUseHookInput,
  PreCompactHookInput,
  PreToolUseHookInput,
  SDKMessage,
  SessionEndHookInput,
  SessionStartHookInput,
  StopHookInput,
  SubagentStartHookInput,
  SubagentStopHookInput,
  UserPromptSubmitHookInput,
} from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { eventFromHook, eventsFromMessage, type NormalizeContext } from '../src/agent/normalize.ts';
import { capText, capValue } from '../src/core/cap.ts';
import { storableValue } from '../src/db/storable.ts';

const cwd = '/work/project';
const sessionId = '5b1e6c7a-0f2e-4c55-9a61-3d2b8f0e7c11';
const cap = 32 * 1024;

function newContext(): NormalizeContext {
  return { cwd, toolCalls: new Map() };
}

function fixture(name: string): SDKMessage[] {
  const url = new URL(`./fixtures/sdk-messages/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as SDKMessage[];
}

/** A message literal as the SDK would send it; the SDK types carry many fields these tests do not need. */
function message(value: Record<string, unknown>): SDKMessage {
  return {
    uuid: '00000000-0000-4000-8000-0000000000ff',
    session_id: sessionId,
    ...value,
  } as unknown as SDKMessage;
}

function assistant(content: unknown[], parentToolUseId: string | null = null): SDKMessage {
  return message({
    type: 'assistant',
    parent_tool_use_id: parentToolUseId,
    message: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-5-5',
      content,
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 1, output_tokens: 1 },
    },
  });
}

function toolResult(block: Record<string, unknown>, parentToolUseId: string | null = null): SDKMessage {
  return message({
    type: 'user',
    parent_tool_use_id: parentToolUseId,
    message: { role: 'user', content: [{ type: 'tool_result', ...block }] },
  });
}

function replay(messages: SDKMessage[], context = newContext()) {
  return messages.flatMap((item) => eventsFromMessage(item, context));
}

describe('eventsFromMessage: a recorded edit session', () => {
  const messages = fixture('edit-session');

  it('produces the ledger events in order', () => {
    expect(replay(messages).map((event) => [event.category, event.type])).toEqual([
      ['response', 'SystemInit'],
      ['response', 'ThinkingBlock'],
      ['response', 'TextBlock'],
      ['response', 'ToolUseBlock'],
      ['response', 'ToolResultBlock'],
      ['response', 'ToolUseBlock'],
      ['response', 'ToolResultBlock'],
      ['response', 'ToolUseBlock'],
      ['response', 'ToolResultBlock'],
      ['response', 'TextBlock'],
      ['response', 'Result'],
    ]);
  });

  it('summarises each event in one line', () => {
    expect(replay(messages).map((event) => event.summary)).toEqual([
      'Session started: claude-sonnet-5-5, 6 tools',
      'Thinking: The user wants the constant changed. Read the file first.',
      "I'll read the file first.",
      'Read src/app.ts',
      'Read result: 1 const answer = 41; 2 export default answer;',
      'Edit src/app.ts (+2 −1)',
      'Edit result: The file /work/project/src/app.ts has been updated.',
      'Bash: npm test',
      'Bash failed: Exit code 1 FAIL test/app.test.ts expected 42 to be 43',
      'The constant is now 42. One test still expects 43.',
      'Run completed in 4 turns',
    ]);
  });

  it('remembers each tool call in the context', () => {
    const context = newContext();
    replay(messages, context);
    expect([...context.toolCalls.keys()]).toEqual(['toolu_01R', 'toolu_02E', 'toolu_03B']);
    expect(context.toolCalls.get('toolu_03B')).toEqual({
      name: 'Bash',
      input: { command: 'npm test', description: 'Run the tests' },
    });
  });

  it('gives tool results the name, id and error flag of their call', () => {
    const results = replay(messages).filter((event) => event.type === 'ToolResultBlock');
    expect(results.map((event) => event.payload)).toEqual([
      {
        tool_use_id: 'toolu_01R',
        tool_name: 'Read',
        is_error: false,
        content: '     1\tconst answer = 41;\n     2\texport default answer;\n',
        parent_tool_use_id: null,
      },
      {
        tool_use_id: 'toolu_02E',
        tool_name: 'Edit',
        is_error: false,
        content: 'The file /work/project/src/app.ts has been updated.',
        parent_tool_use_id: null,
      },
      {
        tool_use_id: 'toolu_03B',
        tool_name: 'Bash',
        is_error: true,
        content: 'Exit code 1\nFAIL test/app.test.ts\n  expected 42 to be 43',
        parent_tool_use_id: null,
      },
    ]);
  });

  it('records the session details from the init message', () => {
    const [init] = replay(messages);
    expect(init?.payload).toEqual({
      session_id: sessionId,
      model: 'claude-sonnet-5-5',
      cwd,
      tools: ['Bash', 'Edit', 'Glob', 'Grep', 'Read', 'Write'],
      mcp_servers: [],
      permission_mode: 'bypassPermissions',
      slash_commands: ['compact', 'context', 'review'],
      claude_code_version: '2.1.332',
    });
  });

  it('records the message id and model on every assistant block', () => {
    const events = replay(messages);
    const toolUse = events.find((event) => event.type === 'ToolUseBlock');
    expect(toolUse?.payload).toEqual({
      message_id: 'msg_01A',
      model: 'claude-sonnet-5-5',
      parent_tool_use_id: null,
      tool_name: 'Read',
      tool_input: { file_path: '/work/project/src/app.ts' },
      tool_use_id: 'toolu_01R',
    });
    expect(events[1]?.payload).toMatchObject({ message_id: 'msg_01A', thinking: expect.any(String) });
  });

  it('records the outcome from the result message', () => {
    const result = replay(messages).at(-1);
    expect(result?.payload).toMatchObject({
      subtype: 'success',
      is_error: false,
      num_turns: 4,
      duration_ms: 14210,
      total_cost_usd: 0.0213,
      stop_reason: 'end_turn',
      result: 'The constant is now 42.\nOne test still expects 43.',
      errors: [],
    });
  });
});

describe('eventsFromMessage: single messages', () => {
  it('produces no events for a stream_event', () => {
    const event = message({
      type: 'stream_event',
      parent_tool_use_id: null,
      event: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
    });
    expect(eventsFromMessage(event, newContext())).toEqual([]);
  });

  it('produces no events for a plain user prompt', () => {
    const prompt = message({
      type: 'user',
      parent_tool_use_id: null,
      message: { role: 'user', content: 'Fix the bug' },
    });
    expect(eventsFromMessage(prompt, newContext())).toEqual([]);
  });

  it('produces no events for a system message it does not record', () => {
    const status = message({ type: 'system', subtype: 'status', status: 'compacting' });
    expect(eventsFromMessage(status, newContext())).toEqual([]);
  });

  it('records an API retry as a system event', () => {
    const retry = message({
      type: 'system',
      subtype: 'api_retry',
      attempt: 2,
      max_retries: 10,
      retry_delay_ms: 1200,
      error_status: 529,
      error: 'overloaded',
    });
    expect(eventsFromMessage(retry, newContext())).toEqual([
      {
        category: 'system',
        type: 'ApiRetry',
        payload: {
          attempt: 2,
          max_retries: 10,
          retry_delay_ms: 1200,
          error_status: 529,
          error: 'overloaded',
        },
        summary: 'Model API error 529: retry 2 of 10',
      },
    ]);
  });

  it('says "(no response)" for a retry without an HTTP status', () => {
    const retry = message({
      type: 'system',
      subtype: 'api_retry',
      attempt: 1,
      max_retries: 3,
      retry_delay_ms: 500,
      error_status: null,
      error: 'unknown',
    });
    expect(eventsFromMessage(retry, newContext())[0]?.summary).toBe(
      'Model API error (no response): retry 1 of 3',
    );
  });

  it('records a compact boundary with its metadata', () => {
    const boundary = message({
      type: 'system',
      subtype: 'compact_boundary',
      compact_metadata: { trigger: 'auto', pre_tokens: 167_000, post_tokens: 12_000 },
    });
    expect(eventsFromMessage(boundary, newContext())).toEqual([
      {
        category: 'system',
        type: 'CompactBoundary',
        payload: { trigger: 'auto', pre_tokens: 167_000, post_tokens: 12_000 },
        summary: 'Context compacted (auto, 167000 tokens before)',
      },
    ]);
  });

  it('turns each block of one assistant message into its own event', () => {
    const events = eventsFromMessage(
      assistant([
        { type: 'text', text: 'Looking.' },
        { type: 'tool_use', id: 'toolu_a', name: 'Glob', input: { pattern: '**/*.ts' } },
        { type: 'tool_use', id: 'toolu_b', name: 'Grep', input: { pattern: 'TODO' } },
      ]),
      newContext(),
    );
    expect(events.map((event) => event.summary)).toEqual(['Looking.', 'Glob **/*.ts', 'Grep TODO']);
  });

  it('records MCP tool use blocks and names the tool server.tool', () => {
    const context = newContext();
    const [event] = eventsFromMessage(
      assistant([
        { type: 'tool_use', id: 'toolu_m', name: 'mcp__github__create_issue', input: { title: 'Bug' } },
      ]),
      context,
    );
    expect(event?.type).toBe('ToolUseBlock');
    expect(event?.summary).toBe('github.create_issue');
    expect(context.toolCalls.get('toolu_m')?.name).toBe('mcp__github__create_issue');
  });

  it('carries parent_tool_use_id for a subagent’s blocks and results', () => {
    const context = newContext();
    const [use] = eventsFromMessage(
      assistant(
        [{ type: 'tool_use', id: 'toolu_sub', name: 'Read', input: { file_path: `${cwd}/a.ts` } }],
        'toolu_task',
      ),
      context,
    );
    const [result] = eventsFromMessage(
      toolResult({ tool_use_id: 'toolu_sub', content: 'x' }, 'toolu_task'),
      context,
    );
    expect(use?.payload.parent_tool_use_id).toBe('toolu_task');
    expect(result?.payload.parent_tool_use_id).toBe('toolu_task');
    expect(result?.payload.tool_name).toBe('Read');
  });

  it('records a result whose call it never saw with no tool name', () => {
    const [event] = eventsFromMessage(
      toolResult({ tool_use_id: 'toolu_unknown', content: 'done' }),
      newContext(),
    );
    expect(event?.payload.tool_name).toBeNull();
    expect(event?.summary).toBe('tool result: done');
  });

  it('keeps a huge tool result whole (the ledger caps it when storing, after redacting) with a short summary', () => {
    const huge = 'x'.repeat(cap + 500);
    const [event] = eventsFromMessage(toolResult({ tool_use_id: 'toolu_big', content: huge }), newContext());
    expect(event?.payload.content).toBe(huge);
    expect(storableValue(event!.payload).content).toBe(`${'x'.repeat(cap)}… [500 more characters]`);
    expect(event?.summary.length).toBeLessThanOrEqual(120);
  });

  it('stores huge strings in a tool input capped, with a marker', () => {
    const content = 'y'.repeat(cap + 10);
    const [event] = eventsFromMessage(
      assistant([
        { type: 'tool_use', id: 'toolu_w', name: 'Write', input: { file_path: `${cwd}/big.txt`, content } },
      ]),
      newContext(),
    );
    expect(storableValue(event!.payload).tool_input).toEqual({
      file_path: `${cwd}/big.txt`,
      content: `${'y'.repeat(cap)}… [10 more characters]`,
    });
    expect(event?.summary).toBe('Write big.txt (1 line)');
  });

  it('records an error result with its errors and no result text', () => {
    const result = message({
      type: 'result',
      subtype: 'error_max_turns',
      is_error: true,
      num_turns: 40,
      duration_ms: 1000,
      duration_api_ms: 900,
      total_cost_usd: 1.5,
      stop_reason: null,
      usage: {},
      modelUsage: {},
      permission_denials: [],
      errors: ['Reached maximum number of turns (40)', 'second'],
    });
    const [event] = eventsFromMessage(result, newContext());
    expect(event?.payload).toMatchObject({
      subtype: 'error_max_turns',
      result: null,
      errors: ['Reached maximum number of turns (40)', 'second'],
    });
    expect(event?.summary).toBe(
      'Run ended with an error (error_max_turns): Reached maximum number of turns (40); second',
    );
  });

  it("says a stopped turn stopped, keeping Claude Code's diagnostics out of the summary (in the payload)", () => {
    const stopped = (errors: string[]) =>
      eventsFromMessage(
        message({
          type: 'result',
          subtype: 'error_during_execution',
          is_error: true,
          num_turns: 2,
          duration_ms: 1000,
          duration_api_ms: 900,
          total_cost_usd: 0,
          stop_reason: null,
          usage: {},
          modelUsage: {},
          permission_denials: [],
          errors,
        }),
        newContext(),
      )[0]!;
    const diagnostic = '[ede_diagnostic] result_type=user last_content_type=n/a stop_reason=null';
    const interrupted = stopped([diagnostic]);
    expect(interrupted.summary).toBe('Turn stopped before it finished');
    expect(interrupted.payload.errors).toEqual([diagnostic]);
    expect(stopped([diagnostic, 'Connection reset']).summary).toBe(
      'Run ended with an error (error_during_execution): Connection reset',
    );
  });

  it('reports a success result flagged is_error as an error, with its text', () => {
    const result = message({
      type: 'result',
      subtype: 'success',
      is_error: true,
      num_turns: 1,
      duration_ms: 10,
      duration_api_ms: 10,
      total_cost_usd: 0,
      stop_reason: null,
      usage: {},
      modelUsage: {},
      permission_denials: [],
      result: 'API Error: 401 invalid x-api-key',
    });
    const [event] = eventsFromMessage(result, newContext());
    expect(event?.summary).toBe('Run ended with an error (success): API Error: 401 invalid x-api-key');
  });
});

describe('eventFromHook', () => {
  const base = { session_id: sessionId, transcript_path: '/root/.claude/projects/x/session.jsonl', cwd };
  const editInput = { file_path: `${cwd}/src/app.ts`, old_string: 'a', new_string: 'b' };

  it('records PreToolUse without the session plumbing', () => {
    const input: PreToolUseHookInput = {
      ...base,
      permission_mode: 'bypassPermissions',
      hook_event_name: 'PreToolUse',
      tool_name: 'Edit',
      tool_input: editInput,
      tool_use_id: 'toolu_1',
    };
    expect(eventFromHook(input, newContext())).toEqual({
      category: 'hook',
      type: 'PreToolUse',
      payload: {
        permission_mode: 'bypassPermissions',
        hook_event_name: 'PreToolUse',
        tool_name: 'Edit',
        tool_input: editInput,
        tool_use_id: 'toolu_1',
      },
      summary: 'Edit src/app.ts (+1 −1)',
    });
  });

  it('records PostToolUse with its tool_response and a tick', () => {
    const input: PostToolUseHookInput = {
      ...base,
      hook_event_name: 'PostToolUse',
      tool_name: 'Bash',
      tool_input: { command: 'npm test' },
      tool_response: { stdout: 'ok', stderr: '', interrupted: false, isImage: false },
      tool_use_id: 'toolu_2',
      duration_ms: 812,
    };
    const event = eventFromHook(input, newContext());
    expect(event.type).toBe('PostToolUse');
    expect(event.payload.tool_response).toEqual({
      stdout: 'ok',
      stderr: '',
      interrupted: false,
      isImage: false,
    });
    expect(event.payload.duration_ms).toBe(812);
    expect(event.summary).toBe('Bash: npm test ✓');
  });

  it('stores a huge tool_response capped, with a marker', () => {
    const input: PostToolUseHookInput = {
      ...base,
      hook_event_name: 'PostToolUse',
      tool_name: 'Read',
      tool_input: { file_path: `${cwd}/log.txt` },
      tool_response: { file: { content: 'z'.repeat(cap + 3) } },
      tool_use_id: 'toolu_3',
    };
    const event = eventFromHook(input, newContext());
    expect(storableValue(event.payload).tool_response).toEqual({
      file: { content: `${'z'.repeat(cap)}… [3 more characters]` },
    });
  });

  it('records PostToolUseFailure with the error in the summary', () => {
    const input: PostToolUseFailureHookInput = {
      ...base,
      hook_event_name: 'PostToolUseFailure',
      tool_name: 'Bash',
      tool_input: { command: 'make' },
      tool_use_id: 'toolu_4',
      error: 'Command failed\nwith exit code 2',
      is_interrupt: false,
    };
    const event = eventFromHook(input, newContext());
    expect(event.payload).toMatchObject({ error: 'Command failed\nwith exit code 2', is_interrupt: false });
    expect(event.summary).toBe('Bash: make ✗ Command failed with exit code 2');
  });

  it.each<[string, HookInput, string]>([
    [
      'UserPromptSubmit',
      {
        ...base,
        hook_event_name: 'UserPromptSubmit',
        prompt: 'Fix\nthe bug',
      } satisfies UserPromptSubmitHookInput,
      'Prompt: Fix the bug',
    ],
    [
      'Stop',
      { ...base, hook_event_name: 'Stop', stop_hook_active: false } satisfies StopHookInput,
      'Agent stopped',
    ],
    [
      'SubagentStart',
      {
        ...base,
        hook_event_name: 'SubagentStart',
        agent_id: 'agent_1',
        agent_type: 'code-reviewer',
      } satisfies SubagentStartHookInput,
      'Subagent code-reviewer started',
    ],
    [
      'SubagentStop',
      {
        ...base,
        hook_event_name: 'SubagentStop',
        stop_hook_active: false,
        agent_id: 'agent_1',
        agent_transcript_path: '/root/.claude/projects/x/subagents/agent_1.jsonl',
        agent_type: 'code-reviewer',
      } satisfies SubagentStopHookInput,
      'Subagent code-reviewer finished',
    ],
    [
      'PreCompact',
      {
        ...base,
        hook_event_name: 'PreCompact',
        trigger: 'auto',
        custom_instructions: null,
      } satisfies PreCompactHookInput,
      'Compacting context (auto)',
    ],
    [
      'Notification',
      {
        ...base,
        hook_event_name: 'Notification',
        message: 'Claude is waiting for your input',
        notification_type: 'idle_prompt',
      } satisfies NotificationHookInput,
      'Notification: Claude is waiting for your input',
    ],
    [
      'SessionStart',
      {
        ...base,
        hook_event_name: 'SessionStart',
        source: 'startup',
        model: 'claude-sonnet-5-5',
      } satisfies SessionStartHookInput,
      'Session startup',
    ],
    [
      'SessionEnd',
      { ...base, hook_event_name: 'SessionEnd', reason: 'prompt_input_exit' } satisfies SessionEndHookInput,
      'Session ended (prompt_input_exit)',
    ],
  ])('records %s as a hook event with its own fields', (name, input, summary) => {
    const event = eventFromHook(input, newContext());
    const { session_id: _s, transcript_path: _t, cwd: _c, ...fields } = input;
    expect(event).toEqual({ category: 'hook', type: name, payload: fields, summary });
  });
});

describe('storableValue', () => {
  it('redacts a secret before capping, so a private key cut by the cap keeps none of its material', () => {
    const key = `-----BEGIN RSA PRIVATE KEY-----\n${'K'.repeat(cap)}\n-----END RSA PRIVATE KEY-----`;
    const stored = storableValue({ content: `${'a'.repeat(100)}${key}` });
    expect(stored.content).not.toMatch(/KKKK/);
    expect(stored.content).toMatch(/\[REDACTED\]/);
  });
});

describe('capText and capValue', () => {
  it('keeps text up to the limit and cuts longer text to it', () => {
    expect(capText('abc', 3)).toEqual({ text: 'abc', truncated: false });
    expect(capText('abcd', 3)).toEqual({ text: 'abc', truncated: true });
  });

  it('caps at 32 KiB by default', () => {
    expect(capText('a'.repeat(cap)).truncated).toBe(false);
    expect(capText('a'.repeat(cap + 1))).toEqual({ text: 'a'.repeat(cap), truncated: true });
  });

  it('caps long strings anywhere in a value and says how much was cut', () => {
    const long = 'q'.repeat(cap + 100);
    expect(capValue({ a: [long, 'short'], b: { c: long }, n: 5, f: false, z: null })).toEqual({
      a: [`${'q'.repeat(cap)}… [100 more characters]`, 'short'],
      b: { c: `${'q'.repeat(cap)}… [100 more characters]` },
      n: 5,
      f: false,
      z: null,
    });
  });

  it('leaves short values equal and does not mutate the input', () => {
    const input = { list: ['x'], nested: { long: 'w'.repeat(cap + 1) } };
    const output = capValue(input);
    expect(input.nested.long).toHaveLength(cap + 1);
    expect(output).not.toBe(input);
    expect(capValue('short')).toBe('short');
  });

  it('copies only the objects and arrays that hold a capped string, keys such as __proto__ included', () => {
    const input = JSON.parse(
      `{"__proto__": {"p": 1}, "short": {"list": ["x"]}, "long": [{"text": "${'v'.repeat(cap + 1)}"}, {"k": 2}]}`,
    );
    expect(capValue(input.short)).toBe(input.short);
    const output = capValue(input) as typeof input;
    expect(output).not.toBe(input);
    expect(output.short, 'nothing capped: the same object').toBe(input.short);
    expect(output.long).not.toBe(input.long);
    expect(output.long[1]).toBe(input.long[1]);
    expect(output.long[0].text).toBe(`${'v'.repeat(cap)}… [1 more characters]`);
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(Object.keys(output)).toEqual(['__proto__', 'short', 'long']);
    expect(JSON.stringify(output)).toContain('"__proto__":{"p":1}');
  });
});
