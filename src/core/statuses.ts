/**
 * Status vocabularies. Each is a const object plus its derived type, and each matches a SQL CHECK
 * constraint in `migrations/` exactly (a test compares them with the live schema).
 */
function vocabulary<const T extends readonly string[]>(values: T): { readonly [K in T[number]]: K } {
  return Object.freeze(Object.fromEntries(values.map((value) => [value, value]))) as {
    readonly [K in T[number]]: K;
  };
}

export const AgentStatus = vocabulary(['idle', 'executing', 'waiting', 'blocked', 'complete']);
export type AgentStatus = keyof typeof AgentStatus;

/** One execution of an agent: a prompt, its turns and its result. */
export const RunStatus = vocabulary(['running', 'succeeded', 'failed', 'interrupted', 'budget_exceeded']);
export type RunStatus = keyof typeof RunStatus;

export const AdwStatus = vocabulary(['pending', 'running', 'paused', 'succeeded', 'failed', 'cancelled']);
export type AdwStatus = keyof typeof AdwStatus;

export const StepStatus = vocabulary(['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled']);
export type StepStatus = keyof typeof StepStatus;

export const EventCategory = vocabulary([
  'hook',
  'response',
  'system',
  'adw_step',
  'file_tracking',
  'summary',
]);
export type EventCategory = keyof typeof EventCategory;

export const LogLevel = vocabulary(['DEBUG', 'INFO', 'WARNING', 'ERROR']);
export type LogLevel = keyof typeof LogLevel;

export const ChatParty = vocabulary(['user', 'orchestrator', 'agent']);
export type ChatParty = keyof typeof ChatParty;

/** What a chat item is: something said, thought, a tool the orchestrator used, or why a turn failed. */
export const ChatKind = vocabulary(['text', 'thinking', 'tool_use', 'error']);
export type ChatKind = keyof typeof ChatKind;

/** A person's message waits (queued) until its turn runs; the orchestrator's own items are done when stored. */
export const ChatStatus = vocabulary(['queued', 'running', 'done', 'interrupted', 'failed']);
export type ChatStatus = keyof typeof ChatStatus;

export const PromptAuthor = vocabulary(['engineer', 'orchestrator_agent', 'adw']);
export type PromptAuthor = keyof typeof PromptAuthor;

/**
 * What an agent is: one `agent run`, the agent of one ADW step run, a persistent command agent, or the chat
 * orchestrator itself (its turns are runs of that agent, so its usage is in the ledger like any other's).
 */
export const AgentKind = vocabulary(['run', 'adw_step', 'command', 'orchestrator']);
export type AgentKind = keyof typeof AgentKind;

/** What baton ran for an agent expert (`adw_step`: an ADW's `expert_improve` step). */
export const ExpertOperation = vocabulary(['init', 'improve', 'question', 'plan', 'adw_step']);
export type ExpertOperation = keyof typeof ExpertOperation;

/**
 * How baton judged one of an expert's runs: a self-improve round `accepted` (a new version), `unchanged`
 * (the same expertise, normalised), `rejected` (still invalid or over its limit after the follow-ups: the
 * last good version restored) or `failed` (the agent's run failed); a question `answered`, a plan `planned`.
 */
export const ExpertRoundOutcome = vocabulary([
  'accepted',
  'unchanged',
  'rejected',
  'failed',
  'answered',
  'planned',
]);
export type ExpertRoundOutcome = keyof typeof ExpertRoundOutcome;

/** A command given to a command agent, from queued to its end. */
export const CommandStatus = vocabulary([
  'queued',
  'running',
  'succeeded',
  'failed',
  'interrupted',
  'cancelled',
]);
export type CommandStatus = keyof typeof CommandStatus;

/**
 * What the person did with the autocomplete's suggestions: `accepted` one (the input before it, the
 * completion, its reason), or `rejected` them by sending a message without taking any (the message and
 * what was offered).
 */
export const AutocompleteFeedbackKind = vocabulary(['accepted', 'rejected']);
export type AutocompleteFeedbackKind = keyof typeof AutocompleteFeedbackKind;

export const FileChangeStatus = vocabulary(['created', 'modified', 'deleted']);
export type FileChangeStatus = keyof typeof FileChangeStatus;

/** Every vocabulary with the table and column whose CHECK constraint mirrors it. */
export const checkedVocabularies = [
  { table: 'orchestrators', column: 'status', values: AgentStatus },
  { table: 'agents', column: 'status', values: AgentStatus },
  { table: 'agent_runs', column: 'status', values: RunStatus },
  { table: 'adws', column: 'status', values: AdwStatus },
  { table: 'adw_steps', column: 'status', values: StepStatus },
  { table: 'events', column: 'category', values: EventCategory },
  { table: 'system_logs', column: 'level', values: LogLevel },
  { table: 'orchestrator_chat', column: 'sender_type', values: ChatParty },
  { table: 'orchestrator_chat', column: 'receiver_type', values: ChatParty },
  { table: 'orchestrator_chat', column: 'kind', values: ChatKind },
  { table: 'orchestrator_chat', column: 'status', values: ChatStatus },
  { table: 'prompts', column: 'author', values: PromptAuthor },
  { table: 'file_changes', column: 'status', values: FileChangeStatus },
  { table: 'agents', column: 'kind', values: AgentKind },
  { table: 'agent_commands', column: 'status', values: CommandStatus },
  { table: 'expertise_versions', column: 'operation', values: ExpertOperation },
  { table: 'expert_rounds', column: 'operation', values: ExpertOperation },
  { table: 'expert_rounds', column: 'outcome', values: ExpertRoundOutcome },
  { table: 'autocomplete_feedback', column: 'kind', values: AutocompleteFeedbackKind },
] as const;
