import { z } from 'zod';
import { expertDomainPattern } from '../core/expert-domain.ts';
import { AdwStatus, AgentKind, EventCategory, LogLevel } from '../core/statuses.ts';
import { optionalQueryInt, queryBoolean, queryInt, queryList, uuidSchema } from './query-values.ts';

/** Bodies, queries and path parameters of the REST API under /api, and its error shape. */

const categories = Object.values(EventCategory) as [EventCategory, ...EventCategory[]];

export const idParams = z.strictObject({ id: uuidSchema });

/** /api/adws/:id/steps/:position/…: one step run of an ADW, by its position (0 first, loop passes after). */
export const adwStepParams = z.strictObject({
  id: uuidSchema,
  position: z
    .string()
    .regex(/^\d{1,4}$/, 'must be a step position (0, 1, …) as GET /api/adws/:id lists them')
    .transform(Number),
});

export const pageQuery = z.strictObject({
  limit: queryInt({ min: 1, max: 500, default: 50 }),
  offset: queryInt({ min: 0, max: 1_000_000, default: 0 }),
});

/**
 * GET /api/events: stored events after `fromSeq`, in seq order. With `beforeSeq`, the `limit` events
 * just before it instead (still oldest first): paging back from the newest (a large `beforeSeq`).
 */
export const eventsQuery = z.strictObject({
  fromSeq: queryInt({ min: 0, max: Number.MAX_SAFE_INTEGER, default: 0 }),
  beforeSeq: optionalQueryInt({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  limit: queryInt({ min: 1, max: 1000, default: 200 }),
  agent: uuidSchema.optional(),
  run: uuidSchema.optional(),
  adw: uuidSchema.optional(),
  orchestrator: uuidSchema.optional(),
  category: queryList(categories),
});
export type EventsQuery = z.output<typeof eventsQuery>;

/** The events of one agent or ADW: the same paging without the scope filters. */
export const scopedEventsQuery = eventsQuery.pick({
  fromSeq: true,
  beforeSeq: true,
  limit: true,
  category: true,
});

/** GET /api/agents: live agents, a page at a time, of one kind or one ADW. */
export const agentListQuery = pageQuery.extend({
  kind: z.enum(Object.values(AgentKind) as [AgentKind, ...AgentKind[]]).optional(),
  adw: uuidSchema.optional(),
});

export const adwListQuery = z.strictObject({
  status: z.enum(Object.values(AdwStatus) as [AdwStatus, ...AdwStatus[]]).optional(),
  limit: queryInt({ min: 1, max: 500, default: 50 }),
});

export const fileChangesQuery = z.strictObject({
  run: uuidSchema.optional(),
  /** Leave the diffs out (only paths and line counts). @default true */
  diffs: queryBoolean.optional(),
});

export const logsQuery = z.strictObject({
  offset: queryInt({ min: 0, max: 1_000_000, default: 0 }),
  limit: queryInt({ min: 1, max: 500, default: 50 }),
  contains: z.string().min(1).max(200).optional(),
  level: z.enum(Object.values(LogLevel) as [LogLevel, ...LogLevel[]]).optional(),
});

const expertDomain = z
  .string()
  .regex(expertDomainPattern, 'must be an expert domain: lowercase letters, digits, - or _ (e.g. database)');
const usd = z.number().positive().max(99_999_999);
const count = z.number().int().positive().max(2_147_483_647);

/**
 * POST /api/adws. The workflow runs in the server's own workspace: a request cannot name a directory
 * (no endpoint opens a path chosen by a request).
 */
export const startAdwBody = z.strictObject({
  workflow: z.string().min(1).max(100),
  prompt: z.string().trim().min(1, 'must not be empty').max(100_000),
  name: z.string().min(1).max(200).optional(),
  description: z.string().max(2_000).optional(),
  model: z.string().min(1).max(100).optional(),
  reviewModel: z.string().min(1).max(100).optional(),
  maxCostUsd: usd.optional(),
  maxTurns: count.optional(),
  stepMaxCostUsd: usd.optional(),
  stepMaxTurns: count.optional(),
  fixRounds: z.number().int().min(0).max(100).optional(),
  inPlace: z.boolean().optional(),
  expert: expertDomain.optional(),
});
export type StartAdwBody = z.output<typeof startAdwBody>;

export const resumeAdwBody = z.strictObject({
  addCostUsd: usd.optional(),
  addTurns: count.optional(),
});

const model = z.string().min(1).max(100);

/** /api/experts/:domain/… (the experts of the server's own workspace). */
export const expertParams = z.strictObject({ domain: expertDomain });

/** GET /api/experts/:domain/diff: the latest version's diff, one version's, or `from` → `to`. */
export const expertDiffQuery = z.strictObject({
  version: optionalQueryInt({ min: 1, max: 2_147_483_647 }),
  from: optionalQueryInt({ min: 1, max: 2_147_483_647 }),
  to: optionalQueryInt({ min: 1, max: 2_147_483_647 }),
});

/** POST /api/experts/:domain/init */
export const initExpertBody = z.strictObject({
  focus: z.string().trim().min(1).max(2_000).optional(),
  model: model.optional(),
});

/** POST /api/experts/:domain/improve */
export const improveExpertBody = z.strictObject({
  untilStable: z.boolean().optional(),
  maxRounds: z.number().int().min(1).max(20).optional(),
  since: z.string().trim().min(1).max(200).optional(),
  focus: z.string().trim().min(1).max(2_000).optional(),
  model: model.optional(),
});

/** POST /api/experts/:domain/questions */
export const expertQuestionBody = z.strictObject({
  question: z.string().trim().min(1, 'must not be empty').max(20_000),
  model: model.optional(),
});

/** POST /api/experts/:domain/plans */
export const expertPlanBody = z.strictObject({
  task: z.string().trim().min(1, 'must not be empty').max(20_000),
  model: model.optional(),
});

/** POST /api/orchestrator/messages: one message to the workspace's orchestrator. */
export const sendMessageBody = z.strictObject({
  message: z.string().trim().min(1, 'must not be empty').max(100_000),
});

/** GET /api/orchestrator/chat: the `limit` items before `before` (a position), oldest first. */
export const chatHistoryQuery = z.strictObject({
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'must be a position from an earlier page')
    .optional(),
  limit: queryInt({ min: 1, max: 500, default: 50 }),
});

/**
 * The working directory of an autocomplete request: the server's workspace or a directory inside it
 * (checked by the route); omitted, the workspace itself.
 */
const autocompleteCwd = z.string().min(1).max(4_096).optional();
const completionText = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200)
  .refine((text) => text.split(/\s+/).length <= 12, 'must be a short completion (at most 12 words)');

/** POST /api/autocomplete: suggestions for the chat input as typed so far. */
export const autocompleteBody = z.strictObject({
  text: z
    .string()
    .max(20_000)
    .refine((text) => text.trim() !== '', 'must not be empty'),
  cwd: autocompleteCwd,
});
export type AutocompleteBody = z.output<typeof autocompleteBody>;

/** One suggestion: words to append to the input, and the model's reason for them. */
export const suggestionSchema = z.object({ completion: z.string(), reason: z.string() });

/** The answer of POST /api/autocomplete. Empty suggestions come with the reason (never an error). */
export const autocompleteAnswer = z.object({
  suggestions: z.array(suggestionSchema).max(3),
  model: z.string().nullable(),
  reason: z.string().optional(),
  cancelled: z.boolean(),
});
export type AutocompleteAnswer = z.infer<typeof autocompleteAnswer>;

/**
 * POST /api/autocomplete/feedback: the person `accepted` a suggestion (the input before it, the
 * completion, its reason), or `rejected` them by sending a message without taking one (the message and
 * what was offered). The next suggestions learn from both.
 */
export const autocompleteFeedbackBody = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('accepted'),
    input: z.string().max(20_000),
    completion: completionText,
    reason: z.string().max(500).optional(),
    cwd: autocompleteCwd,
  }),
  z.strictObject({
    kind: z.literal('rejected'),
    input: z
      .string()
      .max(100_000)
      .refine((text) => text.trim() !== '', 'must not be empty'),
    offered: z.array(completionText).max(3),
    cwd: autocompleteCwd,
  }),
]);
export type AutocompleteFeedbackBody = z.output<typeof autocompleteFeedbackBody>;

/** GET /api/autocomplete?cwd=: the autocomplete's state for a directory. */
export const autocompleteStateQuery = z.strictObject({ cwd: autocompleteCwd });

/** What the autocomplete of one directory is doing and has learned from (also `autocomplete.updated`). */
export const autocompleteStateSchema = z.object({
  cwd: z.string(),
  model: z.string().nullable(),
  /** Suggestion requests the server is waiting on. */
  generating: z.number().int(),
  learned: z.object({ accepted: z.number().int(), rejected: z.number().int() }),
});
export type AutocompleteStateBody = z.infer<typeof autocompleteStateSchema>;

export const emptyBody = z.strictObject({});

export const toolParams = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a tool name such as list_agents'),
});
/** POST /api/tools/:name: the tool's arguments (each tool validates its own). */
export const toolArgumentsBody = z.record(z.string(), z.unknown());

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** The body, query or path field to change (`body.prompt`, `query.limit`). */
    field: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBody>;

export const healthBody = z.object({
  status: z.literal('ok'),
  latestSeq: z.number().int(),
  websocketClients: z.number().int(),
  /** Pages of applications mounted on this server (`{path: '/nile/', title: 'Nile'}`); the control room links to them. */
  pages: z.array(z.object({ path: z.string(), title: z.string() })).optional(),
});
export type HealthBody = z.infer<typeof healthBody>;
