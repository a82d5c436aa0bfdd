import type { SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';

/**
 * The user side of a streaming-input session. Claude Code accepts control requests (interrupt) only
 * while its input is open, so a run keeps this open until the result arrives and then ends it.
 */
export class PromptStream implements AsyncIterable<SDKUserMessage> {
  private readonly queued: SDKUserMessage[] = [];
  private ended = false;
  private wake: (() => void) | undefined;

  push(text: string): void {
    if (this.ended) throw new Error('the prompt stream has ended');
    this.queued.push({ type: 'user', message: { role: 'user', content: text }, parent_tool_use_id: null });
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SDKUserMessage> {
    for (;;) {
      const next = this.queued.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
