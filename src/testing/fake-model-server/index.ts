/**
 * A fake Anthropic Messages API server that plays scripted model turns, so tests and the offline demo run
 * the real Claude Code binary (ANTHROPIC_BASE_URL) or `@anthropic-ai/sdk` (baseURL) without a real model.
 */
export { startFakeModelServer } from './server.ts';
export type { FakeModelServer, FakeModelServerOptions, RecordedRequest } from './server.ts';
export { parseScript, InvalidScriptError } from './script.ts';
export type {
  Block,
  Match,
  RawToolUseBlock,
  Script,
  StopReason,
  TextBlock,
  ThinkingBlock,
  ToolUseBlock,
  Turn,
  TurnError,
  Usage,
} from './script.ts';
export { reply, text, thinking, toolUse, turn } from './turns.ts';
export {
  contentBlocks,
  lastUserMessage,
  messageText,
  toolNameFor,
  toolResultText,
  type MessagesRequest,
} from './request.ts';
export { runFakeModelServerFromFile } from './run-from-file.ts';
