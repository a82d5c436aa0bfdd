import type { ModelCredentials } from '../config/index.ts';

/**
 * Variables agents do not inherit: baton's own (the database URL carries a password), and model access,
 * which comes only from the credentials baton was configured with.
 */
const withheld =
  /^(DATABASE_URL|BATON_.*|PG(PASSWORD|USER|HOST|PORT|DATABASE)|ANTHROPIC_(API_KEY|AUTH_TOKEN|BASE_URL)|CLAUDE_CODE_OAUTH_TOKEN)$/;

export interface AgentEnvironmentOptions {
  /** The parent environment agents inherit (PATH, HOME, language settings, build tools...). */
  inherited: Record<string, string | undefined>;
  credentials: ModelCredentials;
  /**
   * Claude Code's config directory: a private one inside BATON_HOME keeps transcripts and settings there.
   * Undefined: the person's own (their CLAUDE_CONFIG_DIR, or ~/.claude).
   */
  claudeConfigDir: string | undefined;
  /** Retries Claude Code makes on 429/5xx before the run fails. */
  maxRetries?: number;
}

/**
 * The environment of a Claude Code process: the parent's, minus baton's secrets, plus the settings that
 * make it behave as a well-mannered background worker (dependencies.md: running as root, offline).
 */
export function agentEnvironment(options: AgentEnvironmentOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.inherited)) {
    if (value !== undefined && !withheld.test(name)) env[name] = value;
  }
  const { apiKey, authToken, oauthToken, baseUrl } = options.credentials;
  if (apiKey) env.ANTHROPIC_API_KEY = apiKey;
  if (authToken) env.ANTHROPIC_AUTH_TOKEN = authToken;
  if (oauthToken) env.CLAUDE_CODE_OAUTH_TOKEN = oauthToken;
  if (baseUrl) env.ANTHROPIC_BASE_URL = baseUrl;
  // A local endpoint may need no key, but Claude Code refuses to start without one.
  if (baseUrl && !apiKey && !authToken && !oauthToken) env.ANTHROPIC_API_KEY = 'baton-no-key';

  if (options.claudeConfigDir) env.CLAUDE_CONFIG_DIR = options.claudeConfigDir;
  // No start-up ping, titles, telemetry or update checks: an offline machine would see extra requests.
  env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC = '1';
  // Every tool up front, so MCP tools do not hide behind a ToolSearch tool.
  env.ENABLE_TOOL_SEARCH = 'false';
  // Root may skip permission prompts only inside a declared sandbox; baton runs agents unattended.
  env.IS_SANDBOX = '1';
  env.CLAUDE_AGENT_SDK_CLIENT_APP = 'baton/0.1';
  if (options.maxRetries !== undefined) env.CLAUDE_CODE_MAX_RETRIES = String(options.maxRetries);
  return env;
}
