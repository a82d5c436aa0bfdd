/** A request to start an ADW, as typed in chat. */
export interface AdwTrigger {
  workflow: string;
  prompt: string;
}

const triggerPattern = /^\s*start\s*adw\s*:\s*([\w-]+)\s*:(.*)$/is;

/**
 * Reads the chat form `start adw: <workflow>: <prompt>` (`start adw` in any case, spaces optional). The
 * prompt is everything after the second colon and may contain colons itself. Undefined when the text is
 * not a trigger or its prompt is empty.
 * @example parseAdwTrigger('Start ADW: plan-build: add a /health route') // { workflow: 'plan_build', prompt: 'add a /health route' }
 */
export function parseAdwTrigger(text: string): AdwTrigger | undefined {
  const match = triggerPattern.exec(text);
  if (match === null) return undefined;
  const prompt = match[2]!.trim();
  if (prompt === '') return undefined;
  return { workflow: normalizeWorkflowName(match[1]!), prompt };
}

/**
 * Workflow names use underscores. The reference's UI wrote them with dashes (`plan-build`), so dashes are
 * read as underscores wherever a person types a workflow name.
 */
export function normalizeWorkflowName(name: string): string {
  return name.trim().replaceAll('-', '_');
}
