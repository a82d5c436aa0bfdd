/** A JSON object as it arrived on the wire. */
export type JsonObject = Record<string, unknown>;

/** The parts of a Messages API request body the fake server reads. */
export interface MessagesRequest {
  model: string;
  messages: JsonObject[];
  system: unknown;
  tools: unknown;
  stream: boolean;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a `/v1/messages` body, or says what is wrong with it. */
export function readMessagesRequest(
  body: unknown,
): { ok: true; value: MessagesRequest } | { ok: false; error: string } {
  if (!isObject(body)) return { ok: false, error: 'request body is not a JSON object' };
  if (!Array.isArray(body.messages) || !body.messages.every(isObject)) {
    return { ok: false, error: 'messages: expected an array of message objects' };
  }
  if (typeof body.model !== 'string') return { ok: false, error: 'model: expected a string' };
  return {
    ok: true,
    value: {
      model: body.model,
      messages: body.messages,
      system: body.system,
      tools: body.tools,
      stream: body.stream === true,
    },
  };
}

/** A message's content as blocks; string content becomes one text block. */
export function contentBlocks(message: JsonObject | undefined): JsonObject[] {
  const content = message?.content;
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content.filter(isObject) : [];
}

export function lastUserMessage(request: MessagesRequest): JsonObject | undefined {
  return request.messages.findLast((message) => message.role === 'user');
}

/** The text of a message's top-level text blocks, joined by newlines. */
export function messageText(message: JsonObject | undefined): string {
  return contentBlocks(message)
    .filter((block) => block.type === 'text' && typeof block.text === 'string')
    .map((block) => block.text as string)
    .join('\n');
}

export function toolResults(message: JsonObject | undefined): JsonObject[] {
  return contentBlocks(message).filter((block) => block.type === 'tool_result');
}

/** The text a tool_result carries (string content or its text blocks). */
export function toolResultText(result: JsonObject): string {
  return messageText(result);
}

/** The name of the tool a tool_use id belongs to, searching assistant messages from the newest. */
export function toolNameFor(request: MessagesRequest, toolUseId: unknown): string | undefined {
  for (const message of request.messages.toReversed()) {
    if (message.role !== 'assistant') continue;
    const call = contentBlocks(message).find((block) => block.type === 'tool_use' && block.id === toolUseId);
    if (call) return typeof call.name === 'string' ? call.name : undefined;
  }
  return undefined;
}

/** Every string value (not key) inside a JSON value. */
export function allStrings(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) allStrings(item, into);
  else if (isObject(value)) for (const item of Object.values(value)) allStrings(item, into);
  return into;
}

/** A one-line summary of a request for failure messages, e.g. `claude-x, stream, 12 tools, last: user "hi"`. */
export function describeRequest(request: MessagesRequest): string {
  const tools = Array.isArray(request.tools) ? request.tools.length : 0;
  const last = request.messages.at(-1);
  return [
    request.model,
    request.stream ? 'stream' : 'no stream',
    `${tools} tools`,
    `${request.messages.length} messages`,
    `last: ${last ? describeMessage(request, last) : 'none'}`,
  ].join(', ');
}

function describeMessage(request: MessagesRequest, message: JsonObject): string {
  const parts = contentBlocks(message).map((block) => {
    if (block.type === 'text') return quote(String(block.text));
    if (block.type === 'tool_result') {
      const name = toolNameFor(request, block.tool_use_id) ?? String(block.tool_use_id);
      return `tool_result(${name}${block.is_error === true ? ', error' : ''}) ${quote(toolResultText(block))}`;
    }
    if (block.type === 'tool_use') return `tool_use(${String(block.name)})`;
    return String(block.type);
  });
  return `${String(message.role)} ${parts.join(' + ')}`;
}

function quote(text: string, limit = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > limit ? `${flat.slice(0, limit)}…` : flat);
}
