import type { ModelCredentials } from '../../config/index.ts';
import { describeError } from '../../core/errors.ts';
import { redactText } from '../../core/redact.ts';

/** Where the agents' model calls go when ANTHROPIC_BASE_URL is unset (Claude Code's own default). */
export const defaultModelEndpoint = 'https://api.anthropic.com';

export interface EndpointAnswer {
  ok: boolean;
  /** What happened, for the doctor's line. */
  detail: string;
  /** What to change when it failed, naming the variable. */
  fix?: string;
}

/**
 * Asks the model endpoint one free question: how many tokens a one-word message has
 * (`POST /v1/messages/count_tokens`), with the credentials agents would use. It proves that the endpoint
 * answers (ANTHROPIC_BASE_URL, or Anthropic's API) and that it takes the credentials, without a model turn.
 */
export async function askModelEndpoint(
  credentials: ModelCredentials,
  model: string,
  timeoutMs = 5_000,
): Promise<EndpointAnswer> {
  const base = (credentials.baseUrl ?? defaultModelEndpoint).replace(/\/+$/, '');
  // The doctor's line names ANTHROPIC_BASE_URL and its value already; Anthropic's API is named here.
  const where = credentials.baseUrl ? 'the endpoint' : `${base} (ANTHROPIC_BASE_URL unset)`;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'anthropic-version': '2023-06-01',
  };
  if (credentials.apiKey) headers['x-api-key'] = credentials.apiKey;
  else if (credentials.authToken) headers.authorization = `Bearer ${credentials.authToken}`;
  else if (credentials.oauthToken) {
    headers.authorization = `Bearer ${credentials.oauthToken}`;
    headers['anthropic-beta'] = 'oauth-2025-04-20';
  }
  const started = Date.now();
  let response: Response;
  try {
    response = await fetch(`${base}/v1/messages/count_tokens`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'ping' }] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs / 1000} s`
        : describeError(cause);
    return {
      ok: false,
      detail: `${where} does not answer: ${reason}`,
      fix: credentials.baseUrl
        ? 'Start the endpoint ANTHROPIC_BASE_URL names, or correct it (unset, agents use api.anthropic.com).'
        : 'Check the network (a proxy, a firewall), or set ANTHROPIC_BASE_URL to an endpoint you can reach.',
    };
  }
  const ms = Date.now() - started;
  const body = redactText((await response.text().catch(() => '')).slice(0, 300));
  return endpointVerdict(response.status, body, { where, model, ms, credentials });
}

/** What an HTTP status from count_tokens says about the setup. */
export function endpointVerdict(
  status: number,
  body: string,
  context: { where: string; model: string; ms: number; credentials: ModelCredentials },
): EndpointAnswer {
  const message = errorMessage(body);
  if (status >= 200 && status < 300)
    return { ok: true, detail: `${context.where} answers (${context.ms} ms)` };
  if (status === 401 || status === 403) {
    const variable = context.credentials.apiKey
      ? 'ANTHROPIC_API_KEY'
      : context.credentials.authToken
        ? 'ANTHROPIC_AUTH_TOKEN'
        : context.credentials.oauthToken
          ? 'CLAUDE_CODE_OAUTH_TOKEN'
          : 'ANTHROPIC_API_KEY';
    return {
      ok: false,
      detail: `${context.where} refuses the credentials (${status}${message ? `: ${message}` : ''})`,
      fix: `Set ${variable} to a key this endpoint accepts.`,
    };
  }
  if (status === 400 || (status === 404 && /model/i.test(message))) {
    return {
      ok: false,
      detail: `${context.where} refuses the model ${context.model} (${status}${message ? `: ${message}` : ''})`,
      fix: 'Set BATON_MODEL to a model this endpoint serves (or pass --model).',
    };
  }
  // It answered: the connection and the address work, even if this route is not one it serves (some
  // gateways have no count_tokens) or it is busy right now.
  return {
    ok: true,
    detail: `${context.where} answers (${status}${message ? `: ${message}` : ''}; ${context.ms} ms)`,
  };
}

function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') return parsed.error.message.slice(0, 160);
  } catch {
    // Not JSON: the start of the text says enough.
  }
  return body.replace(/\s+/g, ' ').trim().slice(0, 160);
}
