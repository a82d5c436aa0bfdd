import Anthropic from '@anthropic-ai/sdk';

/** Where baton's own small model calls (summaries, autocomplete) go, from the Config. */
export interface ModelEndpoint {
  apiKey?: string;
  authToken?: string;
  /** The server root, e.g. `https://api.anthropic.com` or a fake model server's url. */
  baseUrl?: string;
}

/**
 * An Anthropic SDK client for `endpoint`. The SDK takes exactly one credential; an endpoint without one
 * (a local server) still gets a placeholder key, as Claude Code does, and the explicit baseURL keeps the
 * SDK from reading ANTHROPIC_BASE_URL itself: credentials come from the Config only.
 */
export function anthropicClient(
  endpoint: ModelEndpoint,
  call: { maxRetries: number; timeoutMs: number },
): Anthropic {
  const credential = endpoint.apiKey
    ? { apiKey: endpoint.apiKey }
    : endpoint.authToken
      ? { authToken: endpoint.authToken }
      : { apiKey: 'baton-no-key' };
  return new Anthropic({
    ...credential,
    baseURL: endpoint.baseUrl ?? 'https://api.anthropic.com',
    maxRetries: call.maxRetries,
    timeout: call.timeoutMs,
  });
}

/** The text of a model's answer: its text blocks joined, trimmed. */
export function answerText(message: Anthropic.Message): string {
  return message.content
    .map((block) => (block.type === 'text' ? block.text : ''))
    .join('')
    .trim();
}
