import type { Match } from './script.ts';
import {
  allStrings,
  lastUserMessage,
  messageText,
  toolNameFor,
  toolResults,
  toolResultText,
  type MessagesRequest,
} from './request.ts';

/** Whether a request satisfies every field of a turn's `match`; no match means any request. */
export function matchesRequest(match: Match | undefined, request: MessagesRequest): boolean {
  if (!match) return true;
  const { lastToolResult, lastUserText, anyText, model, stream, hasTools } = match;
  if (stream !== undefined && request.stream !== stream) return false;
  if (hasTools !== undefined && (Array.isArray(request.tools) && request.tools.length > 0) !== hasTools) {
    return false;
  }
  if (model !== undefined) {
    const matched =
      typeof model === 'string' ? request.model === model : request.model.includes(model.contains);
    if (!matched) return false;
  }
  if (lastUserText && !messageText(lastUserMessage(request)).includes(lastUserText.contains)) return false;
  if (anyText) {
    const strings = allStrings([request.system, request.messages]);
    if (!strings.some((text) => text.includes(anyText.contains))) return false;
  }
  if (lastToolResult) {
    const { contains, isError, toolName } = lastToolResult;
    const matched = toolResults(lastUserMessage(request)).some(
      (result) =>
        (contains === undefined || toolResultText(result).includes(contains)) &&
        (isError === undefined || (result.is_error === true) === isError) &&
        (toolName === undefined || toolNameFor(request, result.tool_use_id) === toolName),
    );
    if (!matched) return false;
  }
  return true;
}
