import type { SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { PromptStream } from '../src/agent/prompt-stream.ts';

function userMessage(text: string): SDKUserMessage {
  return { type: 'user', message: { role: 'user', content: text }, parent_tool_use_id: null };
}

async function collect(stream: PromptStream): Promise<SDKUserMessage[]> {
  const messages: SDKUserMessage[] = [];
  for await (const message of stream) messages.push(message);
  return messages;
}

/** Lets every pending promise callback run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

describe('PromptStream', () => {
  it('yields pushed texts in order as SDK user messages, then ends', async () => {
    const stream = new PromptStream();
    stream.push('first');
    stream.push('second');
    stream.end();
    expect(await collect(stream)).toEqual([userMessage('first'), userMessage('second')]);
  });

  it('waits while empty and wakes when a message is pushed', async () => {
    const stream = new PromptStream();
    const iterator = stream[Symbol.asyncIterator]();
    let settled = false;
    const next = iterator.next().then((result) => {
      settled = true;
      return result;
    });
    await settle();
    expect(settled).toBe(false);
    stream.push('hello');
    expect(await next).toEqual({ done: false, value: userMessage('hello') });
  });

  it('finishes a waiting reader when ended', async () => {
    const stream = new PromptStream();
    const iterator = stream[Symbol.asyncIterator]();
    const next = iterator.next();
    await settle();
    stream.end();
    expect(await next).toEqual({ done: true, value: undefined });
  });

  it('keeps the input open across several pushes until end()', async () => {
    const stream = new PromptStream();
    const collected = collect(stream);
    stream.push('one');
    await settle();
    stream.push('two');
    await settle();
    stream.push('three');
    stream.end();
    expect(await collected).toEqual([userMessage('one'), userMessage('two'), userMessage('three')]);
  });

  it('still delivers messages queued before end()', async () => {
    const stream = new PromptStream();
    stream.push('last words');
    stream.end();
    const iterator = stream[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: userMessage('last words') });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('refuses a push after end()', () => {
    const stream = new PromptStream();
    stream.end();
    expect(() => stream.push('too late')).toThrow('the prompt stream has ended');
  });
});
