import { agentEnvironment } from '../agent/environment.ts';
import { isAlive } from '../core/is-alive.ts';
import { bundledClaudeCode } from '../agent/claude-code-binary.ts';
import { findSetpriv } from '../agent/spawn-claude-code.ts';
import { eventFromHook } from '../agent/normalize.ts';
import { createWarmPool, type ClosedWarmProcess } from '../agent/warm-pool.ts';
import { newId } from '../core/ids.ts';
import { loadPriceTable } from '../agent/pricing.ts';
import { resolveModel } from '../agent/models.ts';
import type { AgentRuntime } from '../agent/run-agent.ts';
import { dataPaths, ensureBatonHome, hasModelAccess, type Config } from '../config/index.ts';
import { createEventBus, type EventBus } from '../db/event-bus.ts';
import { createEventWriter, type EventWriter } from '../db/event-writer.ts';
import { openDatabase, type Database } from '../db/open-database.ts';
import { createSessionMirror, type SessionMirror } from '../db/session-store.ts';
import { endOrphanedRuns } from './runs/abandoned-runs.ts';
import { createAdmission } from './admission/admission.ts';
import { createAgentService, type AgentService } from './agents/agent-service.ts';
import { createExpertService, type ExpertService } from './experts/expert-service.ts';
import { startCommandQueue, type CommandQueue } from './agents/command-queue.ts';
import { createAdwService, type AdwService } from './adws/adw-service.ts';
import { startStepQueue, type StepQueue } from './adws/step-queue.ts';
import { createAgentRunner, type AgentRunner } from './runs/agent-runner.ts';
import { createSummarizer } from './summaries/summarizer.ts';
import {
  createAnthropicAutocompleteModel,
  type AutocompleteModel,
} from './autocomplete/autocomplete-model.ts';
import { createAutocompleteService, type AutocompleteService } from './autocomplete/autocomplete-service.ts';
import { createAnthropicSummaryClient, type SummaryClient } from './summaries/summary-client.ts';

export interface Services {
  config: Readonly<Config>;
  db: Database;
  writer: EventWriter;
  /** Session transcripts mirrored to PostgreSQL, so another machine can resume them. */
  sessions: SessionMirror;
  runtime: AgentRuntime;
  runner: AgentRunner;
  /** The live event feed of this process (one LISTEN connection), created on first use. */
  bus(): EventBus;
  /** The ADW step queue (pg-boss), started on first use. */
  queue(): Promise<StepQueue>;
  /** Starting, cancelling and resuming ADWs. */
  adws(): Promise<AdwService>;
  /** The agent command queue (on the same pg-boss), started on first use. */
  commands(): Promise<CommandQueue>;
  /** Persistent command agents: create, command, wait, interrupt, delete. */
  agents(): Promise<AgentService>;
  /** Agent experts: init, improve (checked rounds), question, plan, history. */
  experts(): ExpertService;
  /** The chat input's suggestions and what they learned from, per working directory. */
  autocomplete(): AutocompleteService;
  close(): Promise<void>;
}

export interface StartServicesOptions {
  /** Refuse to share an embedded database with another process (`baton up`). */
  exclusive?: boolean;
  /** This process runs until stopped (`baton up`, `baton worker`): it may adopt an embedded database left running. */
  longLived?: boolean;
  log?: (line: string) => void;
}

/** The agent runtime's settings, derived from the config once. */
export function agentRuntimeFor(config: Readonly<Config>): AgentRuntime {
  const paths = dataPaths(config.home);
  return {
    environment: agentEnvironment({
      inherited: config.processEnvironment,
      credentials: config.credentials,
      claudeConfigDir: config.agentUserConfig
        ? config.processEnvironment.CLAUDE_CONFIG_DIR
        : paths.claudeConfig,
      maxRetries: config.modelMaxRetries,
    }),
    userSettings: config.agentUserConfig,
    prices: loadPriceTable(config.pricesFile),
    snapshotsRoot: paths.snapshots,
    diffLimitBytes: config.diffLimitBytes,
    claudeCodePath: config.claudeCodePath ?? bundledClaudeCode(),
    setpriv: findSetpriv(),
  };
}

/**
 * Connections a process needs: one per Claude Code process it may run (each run's side writes go one
 * at a time), plus the event writer, the transcript mirror, the event bus's reads, the summarizer, an
 * ADW worker's own queries, and a run starting or finishing. Queued runs hold none while they wait.
 */
export function poolSizeFor(maxAgents: number): number {
  return Math.max(10, maxAgents + 6);
}

/**
 * Everything a baton process needs, wired once: the database (migrated), the event writer, the host's
 * admission of Claude Code processes and the agent runner. Runs a previous process on this host left
 * behind are marked failed first.
 */
export async function startServices(
  config: Readonly<Config>,
  options: StartServicesOptions = {},
): Promise<Services> {
  // First: a bad BATON_SUMMARY_MODEL or BATON_HOME fails before anything opens.
  const summaryClient = summaryClientFor(config);
  const autocompleteModel = autocompleteModelFor(config);
  await ensureBatonHome(config.home);
  const db = await openDatabase(config, {
    exclusive: options.exclusive,
    longLived: options.longLived,
    poolSize: poolSizeFor(config.maxAgents),
    log: options.log,
  });
  const admission = createAdmission({ scope: config.home, slots: config.maxAgents });
  const writer = createEventWriter(db.pool, { bufferBytes: config.eventBufferBytes });
  const warm = createWarmPool({ idleMs: config.warmIdleMs, onClosed: recordWarmClose(writer) });
  const runtime: AgentRuntime = { ...agentRuntimeFor(config), admission, warm };
  await endOrphanedRuns({ pool: db.pool, runtime }, isAlive);
  const sessions = createSessionMirror(db.pool, { bufferBytes: config.eventBufferBytes });
  const summarizer =
    summaryClient && createSummarizer({ writer, pool: db.pool, client: summaryClient, log: options.log });
  const runner = createAgentRunner({ pool: db.pool, writer, sessions, runtime, summarizer });
  let bus: EventBus | undefined;
  let queue: Promise<StepQueue> | undefined;
  const startQueue = () => (queue ??= startStepQueue(db.url, { log: options.log }));
  let commands: Promise<CommandQueue> | undefined;
  const startCommands = () =>
    (commands ??= startQueue().then((steps) => startCommandQueue(steps.boss, { log: options.log })));
  const getBus = () => (bus ??= createEventBus(db.url, db.pool, { log: options.log }));
  let experts: ExpertService | undefined;
  let autocomplete: AutocompleteService | undefined;
  return {
    config,
    db,
    writer,
    sessions,
    runtime,
    runner,
    bus: getBus,
    queue: startQueue,
    adws: async () =>
      createAdwService({ pool: db.pool, queue: await startQueue(), config, prices: runtime.prices }),
    commands: startCommands,
    agents: async () =>
      createAgentService({
        pool: db.pool,
        queue: await startCommands(),
        bus: getBus,
        config,
        prices: runtime.prices,
      }),
    experts: () =>
      (experts ??= createExpertService({ pool: db.pool, runner, config, prices: runtime.prices })),
    autocomplete: () =>
      (autocomplete ??= createAutocompleteService({
        pool: db.pool,
        model: autocompleteModel,
        noModelReason: config.autocomplete.enabled
          ? 'no model access for suggestions: set ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN, or ANTHROPIC_BASE_URL'
          : 'suggestions are off (BATON_AUTOCOMPLETE=off)',
        log: options.log,
      })),
    async close() {
      await warm.closeAll();
      await commands?.catch(() => {});
      await (await queue)?.stop().catch(() => {});
      admission.close();
      await summarizer?.close();
      await writer.close().catch(() => {});
      await sessions.close().catch(() => {});
      await bus?.close();
      await db.close();
    },
  };
}

/**
 * A warm process that closes after its last run has ended still reports SessionEnd as it exits: the
 * event is recorded in that run's scope.
 */
function recordWarmClose(writer: EventWriter) {
  return (closed: ClosedWarmProcess) => {
    if (!closed.scope || !closed.sessionEnds.length) return;
    const stream = writer.open();
    const context = { cwd: closed.cwd, toolCalls: new Map() };
    for (const hookInput of closed.sessionEnds) {
      void stream
        .write({ id: newId(), ...closed.scope, ...eventFromHook(hookInput, context), occurredAt: new Date() })
        .catch(() => {});
    }
  };
}

/** The model behind event summaries, when they are on and a model can be reached. */
function summaryClientFor(config: Readonly<Config>): SummaryClient | undefined {
  const { apiKey, authToken, baseUrl } = config.credentials;
  if (!config.summaries.enabled || !hasModelAccess(config.credentials)) return undefined;
  // A Claude Code OAuth token is for Claude Code itself, so it alone does not enable summaries.
  if (!apiKey && !authToken && !baseUrl) return undefined;
  const model = resolveModel(config.summaries.model, 'BATON_SUMMARY_MODEL');
  return createAnthropicSummaryClient({ apiKey, authToken, baseUrl, model });
}

/** The model behind the chat input's suggestions, when they are on and one can be reached (credentials as for summaries). */
function autocompleteModelFor(config: Readonly<Config>): AutocompleteModel | undefined {
  const { apiKey, authToken, baseUrl } = config.credentials;
  const model = resolveModel(config.autocomplete.model, 'BATON_AUTOCOMPLETE_MODEL');
  if (!config.autocomplete.enabled || (!apiKey && !authToken && !baseUrl)) return undefined;
  return createAnthropicAutocompleteModel({ apiKey, authToken, baseUrl, model });
}
