import { z } from 'zod';

/** A text block the scripted model says. */
export interface TextBlock {
  type: 'text';
  text: string;
}

/** A thinking block; the server adds a fake signature. */
export interface ThinkingBlock {
  type: 'thinking';
  thinking: string;
}

/** A tool call whose input is sent as JSON. `id` defaults to a generated `toolu_fake_<n>`. */
export interface ToolUseBlock {
  type: 'tool_use';
  name: string;
  input: unknown;
  id?: string;
}

/** A tool call whose input text is sent verbatim as `partial_json`, so it may be malformed on purpose. */
export interface RawToolUseBlock {
  type: 'tool_use';
  name: string;
  rawInput: string;
  id?: string;
}

/** One content block of a scripted assistant message. */
export type Block = TextBlock | ThinkingBlock | ToolUseBlock | RawToolUseBlock;

/** A predicate on a Messages API request; every field given must hold. */
export interface Match {
  /** The tool_result block(s) of the last user message; one of them must satisfy every field given. */
  lastToolResult?: { contains?: string; isError?: boolean; toolName?: string };
  /** Text of the last user message (string content or text blocks, system reminders included). */
  lastUserText?: { contains: string };
  /** Any string anywhere in `messages` or `system`. */
  anyText?: { contains: string };
  model?: string | { contains: string };
  stream?: boolean;
  /** Whether the request carries a non-empty `tools` array (an agent turn rather than a bare side call). */
  hasTools?: boolean;
}

/** A scripted error response in Anthropic's JSON error shape. */
export interface TurnError {
  status: number;
  /** Defaults from the status: 429 `rate_limit_error`, 529 `overloaded_error`, 400 `invalid_request_error`... */
  type?: string;
  message?: string;
  /** Sent as `retry-after`; a 429 sends 0 when this is absent. */
  retryAfterSeconds?: number;
}

/** Token figures reported for a turn; missing ones are estimated (input) or zero (cache). */
export interface Usage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

/** The stop reasons a scripted turn may report. */
export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence';

/**
 * One scripted model response. It needs `content`, `error` or `cut`; `cut` may come with `content`
 * (the blocks streamed before the connection drops), `error` stands alone.
 */
export interface Turn {
  /** Shown in logs and failure messages. */
  name?: string;
  match?: Match;
  /** How many requests this turn answers. `'always'` never runs out and need not be consumed. @default 1 */
  times?: number | 'always';
  /** Wait this long before responding. */
  delayMs?: number;
  content?: Block[];
  error?: TurnError;
  /** Stream `message_start` and `afterBlocks` complete blocks, then destroy the socket. */
  cut?: { afterBlocks: number };
  /**
   * Stream `message_start` and content until `afterDeltas` content deltas are sent, then send nothing more
   * and keep the connection open until the client goes away: a model in the middle of a block.
   */
  stall?: { afterDeltas: number };
  usage?: Usage;
  /** @default 'tool_use' when the content has a tool_use block, else 'end_turn' */
  stopReason?: StopReason;
  /** Model name reported in the response. @default the request's model */
  model?: string;
}

/** A whole script: turns are tried in order for each request. */
export interface Script {
  turns: Turn[];
}

const contains = z.strictObject({ contains: z.string() });

const blockSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: z.string() }),
  z.strictObject({ type: z.literal('thinking'), thinking: z.string() }),
  z
    .strictObject({
      type: z.literal('tool_use'),
      name: z.string().min(1),
      id: z.string().min(1).optional(),
      input: z.unknown().optional(),
      rawInput: z.string().optional(),
    })
    .superRefine((block, context) => {
      if ((block.input === undefined) === (block.rawInput === undefined)) {
        context.addIssue({
          code: 'custom',
          message: 'a tool_use block needs exactly one of `input` or `rawInput`',
        });
      }
    }),
]);

const matchSchema = z.strictObject({
  lastToolResult: z
    .strictObject({
      contains: z.string().optional(),
      isError: z.boolean().optional(),
      toolName: z.string().optional(),
    })
    .optional(),
  lastUserText: contains.optional(),
  anyText: contains.optional(),
  model: z.union([z.string(), contains]).optional(),
  stream: z.boolean().optional(),
  hasTools: z.boolean().optional(),
});

const tokens = z.number().int().nonnegative().optional();

const turnSchema = z
  .strictObject({
    name: z.string().optional(),
    match: matchSchema.optional(),
    times: z.union([z.number().int().positive(), z.literal('always')]).optional(),
    delayMs: z.number().nonnegative().optional(),
    content: z.array(blockSchema).optional(),
    error: z
      .strictObject({
        status: z.number().int().min(400).max(599),
        type: z.string().min(1).optional(),
        message: z.string().optional(),
        retryAfterSeconds: z.number().nonnegative().optional(),
      })
      .optional(),
    cut: z.strictObject({ afterBlocks: z.number().int().nonnegative() }).optional(),
    stall: z.strictObject({ afterDeltas: z.number().int().positive() }).optional(),
    usage: z
      .strictObject({
        input_tokens: tokens,
        output_tokens: tokens,
        cache_read_input_tokens: tokens,
        cache_creation_input_tokens: tokens,
      })
      .optional(),
    stopReason: z.enum(['end_turn', 'tool_use', 'max_tokens', 'stop_sequence']).optional(),
    model: z.string().min(1).optional(),
  })
  .superRefine((turn, context) => {
    if (turn.error && (turn.content || turn.cut)) {
      context.addIssue({
        code: 'custom',
        message: 'a turn with `error` cannot also have `content` or `cut`',
      });
    } else if (!turn.error && !turn.content && !turn.cut) {
      context.addIssue({ code: 'custom', message: 'a turn needs one of `content`, `error` or `cut`' });
    }
    if (turn.stall && (!turn.content || turn.cut)) {
      context.addIssue({
        code: 'custom',
        path: ['stall'],
        message: 'a turn with `stall` needs `content` and cannot also have `cut`',
      });
    }
    const blockCount = turn.content?.length ?? 0;
    if (turn.cut && turn.cut.afterBlocks > blockCount) {
      context.addIssue({
        code: 'custom',
        path: ['cut', 'afterBlocks'],
        message: `cut after ${turn.cut.afterBlocks} blocks but the turn has only ${blockCount} content blocks`,
      });
    }
  });

const turnsSchema = z.array(turnSchema);
const scriptSchema = z.strictObject({ turns: turnsSchema });

/** Thrown when a script does not validate; the message lists each issue with its path. */
export class InvalidScriptError extends Error {
  override readonly name = 'InvalidScriptError';
}

/**
 * Validates a script (a `{ turns }` object or a bare array of turns) and returns it as `{ turns }`.
 * @param source names where the script came from (a file path) in the error message.
 */
export function parseScript(input: unknown, source = 'script'): Script {
  // Parse the two shapes separately so issues carry a path instead of a vague "invalid union".
  const result = Array.isArray(input)
    ? turnsSchema.safeParse(input)
    : scriptSchema.transform((script) => script.turns).safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `  - ${formatPath(issue.path)}: ${issue.message}`);
    throw new InvalidScriptError(`invalid fake model ${source}:\n${issues.join('\n')}`);
  }
  // The refinements above guarantee the Block union that zod's inferred type cannot express.
  return { turns: result.data as Turn[] };
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((key, position) =>
      typeof key === 'number' ? `[${key}]` : `${position === 0 ? '' : '.'}${String(key)}`,
    )
    .join('');
}
