import type { AutocompletePrompt } from '../../experts/index.ts';
import { anthropicClient, answerText, type ModelEndpoint } from '../anthropic-client.ts';

/** The small model behind the chat input's suggestions: one prompt in, its text out. */
export interface AutocompleteModel {
  /** The model id asked. */
  readonly model: string;
  /** The model's text; rejects when `signal` aborts (the HTTP request to the model is cancelled too). */
  complete(prompt: AutocompletePrompt, signal: AbortSignal): Promise<string>;
}

export interface AnthropicAutocompleteModelOptions extends ModelEndpoint {
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
  const anthropic = anthropicClient(options, { maxRetries: 0, timeoutMs: options.timeoutMs ?? 15_000 });
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
      return answerText(message);
    },
  };
}
