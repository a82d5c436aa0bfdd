import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../core/errors.ts';
import { defaultMaxAgents } from './default-max-agents.ts';

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value.trim() : undefined));

const positiveInt = (fallback: number | (() => number)) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === '')
        return typeof fallback === 'function' ? fallback() : fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed <= 0) {
        context.addIssue({ code: 'custom', message: `must be a positive whole number, got "${value}"` });
        return z.NEVER;
      }
      return parsed;
    });

/** A whole number ≥ 0 (at most `max`); `fallback` when unset. */
function wholeNumber<T extends number | undefined>(fallback: T, max = Number.MAX_SAFE_INTEGER) {
  return z
    .string()
    .optional()
    .transform((value, context): number | T => {
      if (value === undefined || value.trim() === '') return fallback;
      const parsed = Number(value);
      if (!/^\d+$/.test(value.trim()) || parsed > max) {
        context.addIssue({
          code: 'custom',
          message: `must be a whole number ≥ 0${max < Number.MAX_SAFE_INTEGER ? ` and ≤ ${max}` : ''}, got "${value}"`,
        });
        return z.NEVER;
      }
      return parsed;
    });
}

const onOff = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      const word = value?.trim().toLowerCase();
      if (word === undefined || word === '') return fallback;
      if (word === 'on' || word === 'off') return word === 'on';
      context.addIssue({ code: 'custom', message: `must be on or off, got "${value}"` });
      return z.NEVER;
    });

/** Every environment variable baton reads, with its default and meaning. Nothing else reads `process.env`. */
const environmentSchema = z.object({
  /** PostgreSQL to use. When unset, baton runs an embedded PostgreSQL inside `BATON_HOME`. */
  DATABASE_URL: optionalString,
  /** baton's data directory (embedded database, Claude Code config, snapshots). @default ~/.baton */
  BATON_HOME: optionalString,
  /** Model for agents when none is given: an alias (opus, sonnet, haiku) or a model id. @default sonnet */
  BATON_MODEL: optionalString,
  /** Model of the orchestrator agent you chat with: an alias or a model id. @default BATON_MODEL */
  BATON_ORCHESTRATOR_MODEL: optionalString,
  /** A Markdown file replacing baton's orchestrator system prompt (the same {{PLACEHOLDERS}} are filled). */
  BATON_ORCHESTRATOR_PROMPT: optionalString,
  /** A JSON file of per-model prices (USD per million tokens) that overrides the built-in table. */
  BATON_PRICES_FILE: optionalString,
  /** Path to a Claude Code executable; by default the one bundled with the Agent SDK. */
  BATON_CLAUDE_CODE_PATH: optionalString,
  /** Capped size of one file's stored diff, in bytes. @default 65536 */
  BATON_DIFF_LIMIT_BYTES: positiveInt(64 * 1024),
  /** Retries Claude Code makes when the model API fails (429, 5xx) before a run fails. @default Claude Code's own (10) */
  BATON_MODEL_MAX_RETRIES: wholeNumber(undefined),
  /**
   * How long a command agent's Claude Code process stays alive after a command, in ms, so a follow-up
   * to the same agent on the same worker starts without a new process; 0 closes it at once. @default 60000
   */
  BATON_WARM_IDLE_MS: wholeNumber(60_000, 24 * 60 * 60 * 1_000),
  /** ADW steps one worker process runs at once (each is a Claude Code process). @default 2 */
  BATON_WORKER_CONCURRENCY: positiveInt(2),
  /**
   * Claude Code processes running at once on this host, over every baton process that shares BATON_HOME
   * (ADW steps, `agent run`); more runs wait their turn in a queue. @default see defaultMaxAgents
   */
  BATON_MAX_AGENTS: positiveInt(() => defaultMaxAgents()),
  /**
   * Memory for events (and, as much again, for session transcripts) waiting to be written, in bytes of
   * JSON. Past it agents wait for the database instead of the buffer growing. @default 67108864 (64 MiB)
   */
  BATON_EVENT_BUFFER_BYTES: positiveInt(64 * 1024 * 1024),
  /**
   * Whether agents see the person's own Claude Code configuration (~/.claude, or CLAUDE_CONFIG_DIR: their
   * CLAUDE.md, commands, agents, skills, MCP servers and settings) besides the project's (`on` or `off`).
   * Off, agents get a private configuration directory inside BATON_HOME. @default off
   */
  BATON_AGENT_USER_CONFIG: onOff(false),
  /** One-line model summaries of text and thinking events, in batches (`on` or `off`); needs model access. @default on */
  BATON_SUMMARIES: onOff(true),
  /** Model for those summaries: an alias (opus, sonnet, haiku) or a model id. @default haiku */
  BATON_SUMMARY_MODEL: optionalString,
  /** Suggestions for the chat input from a small model (`on` or `off`); needs model access. @default on */
  BATON_AUTOCOMPLETE: onOff(true),
  /** Model of the chat input's autocomplete suggestions: an alias (opus, sonnet, haiku) or a model id. @default haiku */
  BATON_AUTOCOMPLETE_MODEL: optionalString,
  /** Port of the HTTP + WebSocket server (`baton up`, `baton serve`); 0 picks a free one. @default 4747 */
  BATON_PORT: z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === '') return 4747;
      const parsed = Number(value);
      if (!/^\d+$/.test(value.trim()) || parsed > 65_535) {
        context.addIssue({ code: 'custom', message: `must be a port number (0-65535), got "${value}"` });
        return z.NEVER;
      }
      return parsed;
    }),
  /**
   * Address the server binds. Anything but loopback needs `--allow-remote` as well (the server can make
   * agents run commands). @default 127.0.0.1
   */
  BATON_HOST: optionalString,
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_AUTH_TOKEN: optionalString,
  CLAUDE_CODE_OAUTH_TOKEN: optionalString,
  /** Any Anthropic-compatible endpoint: a gateway, a local model server, or baton's fake model server. */
  ANTHROPIC_BASE_URL: optionalString,
});

/** The names of every variable loadConfig reads (the README's configuration table lists each). */
export const environmentVariables: readonly string[] = Object.keys(environmentSchema.shape);

export interface ModelCredentials {
  apiKey?: string;
  authToken?: string;
  oauthToken?: string;
  baseUrl?: string;
}

export interface Config {
  databaseUrl?: string;
  home: string;
  defaultModel: string;
  orchestrator: { model?: string; promptFile?: string };
  pricesFile?: string;
  claudeCodePath?: string;
  diffLimitBytes: number;
  eventBufferBytes: number;
  modelMaxRetries?: number;
  workerConcurrency: number;
  /** How long a command agent's Claude Code process is kept alive after a command, in ms; 0: not kept (BATON_WARM_IDLE_MS). */
  warmIdleMs: number;
  /** Agents see the person's own Claude Code configuration (BATON_AGENT_USER_CONFIG). */
  agentUserConfig: boolean;
  /** Claude Code processes at once on this host (BATON_MAX_AGENTS). */
  maxAgents: number;
  /** Where the HTTP + WebSocket server listens (BATON_HOST, BATON_PORT). */
  server: { host: string; port: number };
  /** Model summaries of text and thinking events; `model` is an alias or id, resolved at use. */
  summaries: { enabled: boolean; model: string };
  /** The chat input's suggestions (BATON_AUTOCOMPLETE); `model` is an alias or id, resolved at use (BATON_AUTOCOMPLETE_MODEL). */
  autocomplete: { enabled: boolean; model: string };
  credentials: ModelCredentials;
  /** The environment baton started with; agents inherit it (minus baton's own secrets). */
  processEnvironment: Readonly<Record<string, string | undefined>>;
}

/**
 * Reads the environment once into a frozen Config. Invalid values raise a UserError naming the variable.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new UserError(`Invalid environment: ${problems.join('; ')}`, { code: 'config' });
  }
  const values = parsed.data;
  if (env.BATON_EVENT_BUFFER_LIMIT !== undefined) {
    throw new UserError(
      'BATON_EVENT_BUFFER_LIMIT is no longer read: the event buffer is bounded by size. Unset it, and set ' +
        'BATON_EVENT_BUFFER_BYTES instead if the default (64 MiB) does not suit.',
      { code: 'config' },
    );
  }
  // resolve() pins a relative BATON_HOME to the directory baton was started in.
  const home = values.BATON_HOME ?? join(homedir(), '.baton');
  if (values.DATABASE_URL && !/^postgres(ql)?:\/\//.test(values.DATABASE_URL)) {
    throw new UserError(
      'DATABASE_URL must start with postgres:// or postgresql:// (or unset it to use the embedded database)',
      { code: 'config' },
    );
  }
  if (values.ANTHROPIC_BASE_URL && !isHttpUrl(values.ANTHROPIC_BASE_URL)) {
    throw new UserError(
      `ANTHROPIC_BASE_URL must be an http:// or https:// URL such as https://api.anthropic.com, got "${values.ANTHROPIC_BASE_URL}" ` +
        '(or unset it to use the Anthropic API).',
      { code: 'config' },
    );
  }
  return Object.freeze({
    databaseUrl: values.DATABASE_URL,
    home: resolve(home),
    defaultModel: values.BATON_MODEL ?? 'sonnet',
    orchestrator: Object.freeze({
      model: values.BATON_ORCHESTRATOR_MODEL,
      promptFile: values.BATON_ORCHESTRATOR_PROMPT && resolve(values.BATON_ORCHESTRATOR_PROMPT),
    }),
    pricesFile: values.BATON_PRICES_FILE,
    claudeCodePath: values.BATON_CLAUDE_CODE_PATH,
    diffLimitBytes: values.BATON_DIFF_LIMIT_BYTES,
    eventBufferBytes: values.BATON_EVENT_BUFFER_BYTES,
    modelMaxRetries: values.BATON_MODEL_MAX_RETRIES,
    workerConcurrency: values.BATON_WORKER_CONCURRENCY,
    warmIdleMs: values.BATON_WARM_IDLE_MS,
    maxAgents: values.BATON_MAX_AGENTS,
    agentUserConfig: values.BATON_AGENT_USER_CONFIG,
    server: Object.freeze({ host: values.BATON_HOST ?? '127.0.0.1', port: values.BATON_PORT }),
    summaries: Object.freeze({
      enabled: values.BATON_SUMMARIES,
      model: values.BATON_SUMMARY_MODEL ?? 'haiku',
    }),
    autocomplete: Object.freeze({
      enabled: values.BATON_AUTOCOMPLETE,
      model: values.BATON_AUTOCOMPLETE_MODEL ?? 'haiku',
    }),
    credentials: Object.freeze({
      apiKey: values.ANTHROPIC_API_KEY,
      authToken: values.ANTHROPIC_AUTH_TOKEN,
      oauthToken: values.CLAUDE_CODE_OAUTH_TOKEN,
      baseUrl: values.ANTHROPIC_BASE_URL,
    }),
    processEnvironment: Object.freeze({ ...env }),
  });
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Refuses to go on without model access, saying which variables give it. */
export function requireModelAccess(credentials: ModelCredentials): void {
  if (!hasModelAccess(credentials)) {
    throw new UserError(
      'No model credentials: set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN, CLAUDE_CODE_OAUTH_TOKEN), or set ' +
        'ANTHROPIC_BASE_URL to an Anthropic-compatible endpoint. `baton demo` runs without any.',
      { code: 'config' },
    );
  }
}

/** True when agents can reach a model: a credential, or an endpoint that may need none. */
export function hasModelAccess(credentials: ModelCredentials): boolean {
  return Boolean(
    credentials.apiKey || credentials.authToken || credentials.oauthToken || credentials.baseUrl,
  );
}

/** Where baton keeps each kind of data inside BATON_HOME. */
export function dataPaths(home: string) {
  return {
    home,
    postgres: join(home, 'postgres'),
    claudeConfig: join(home, 'claude'),
    snapshots: join(home, 'snapshots'),
    worktrees: join(home, 'worktrees'),
  };
}
