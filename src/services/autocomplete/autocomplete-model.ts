import Anthropic from '@anthropic-ai/sdk';
import type { AutocompletePrompt } from '../../experts/index.ts';

/** The small model behind the chat input's suggestions: one prompt in, its text out. */
export interface AutocompleteModel {
  /** The model id asked. */
  readonly model: string;
  /** The model's text; rejects when `signal` aborts (the HTTP request to the model is cancelled too). */
  complete(prompt: AutocompletePrompt, signal: AbortSignal): Promise<string>;
}

export interface AnthropicAutocompleteModelOptions {
  apiKey?: string;
  authToken?: string;
  /** The server root, e.g. `https://api.anthropic.com` or a fake model server's url. */
  baseUrl?: string;
  /** A model id (resolve aliases with resolveModel first). */
  model: string;
  /** How long one call may take: past it the suggestions would come too late to help. @default 15000 */
  timeoutMs?: number;
}

/**
 * An AutocompleteModel on the Anthropic Messages API: one non-streaming request, no tools, no retry (a
 * retried suggestion would arrive after the person typed on). Credentials come from the Config.
 */
export function createAnthropicAutocompleteModel(
  options: AnthropicAutocompleteModelOptions,
): AutocompleteModel {
  // As for summaries: the SDK takes exactly one credential, and an endpoint without one gets a placeholder.
  const credential = options.apiKey
    ? { apiKey: options.apiKey }
    : options.authToken
      ? { authToken: options.authToken }
      : { apiKey: 'baton-no-key' };
  const anthropic = new Anthropic({
    ...credential,
    baseURL: options.baseUrl ?? 'https://api.anthropic.com',
    maxRetries: 0,
    timeout: options.timeoutMs ?? 15_000,
  });
  return {
    model: options.model,
    async complete(prompt, signal) {
      const message = await anthropic.messages.create(
        {
          model: options.model,
          max_tokens: 400,
          system: prompt.system,
          messages: [{ role: 'user', content: prompt.user }],
        },
        { signal },
      );
      return message.content
        .map((block) => (block.type === 'text' ? block.text : ''))
        .join('')
        .trim();
    },
  };
}
