/**
 * What the chat input offers as the person types: the project's slash commands after a leading `/`
 * (with their argument hints), the ADW workflows after `start adw:`, and agent and template names for
 * the word being typed. Pure: text and caret in, suggestions out, so the chat input, the Cmd/Ctrl+K
 * palette and their tests share it.
 */

export type CompletionKind = 'command' | 'workflow' | 'trigger' | 'agent' | 'template';

export interface Completion {
  kind: CompletionKind;
  /** What the list shows. */
  label: string;
  /** Shown beside it: an argument hint, a description, the steps. */
  detail?: string;
  /** The text from `from` to the caret is replaced by `insert`. */
  from: number;
  insert: string;
}

export interface CompletionSources {
  commands: readonly { name: string; description?: string; argumentHint?: string }[];
  workflows: readonly { name: string; description?: string; steps?: readonly string[] }[];
  templates: readonly { name: string; description?: string }[];
  agents: readonly string[];
}

/** The most suggestions shown at once. */
export const maxCompletions = 8;

const triggerText = 'start adw: ';
const slashPattern = /^\/([\w:-]*)$/;
const workflowPattern = /^(\s*start\s*adw\s*:\s*)([\w-]*)$/i;
const wordPattern = /(?:^|\s)([\w.-]+)$/;

const startsWith = (value: string, prefix: string) => value.toLowerCase().startsWith(prefix.toLowerCase());

export function completionsFor(text: string, caret: number, sources: CompletionSources): Completion[] {
  const head = text.slice(0, caret);

  const slash = slashPattern.exec(head);
  if (slash) {
    const typed = slash[1]!;
    return sources.commands
      .filter((command) => startsWith(command.name, typed))
      .slice(0, maxCompletions)
      .map((command) => ({
        kind: 'command',
        label: `/${command.name}`,
        detail: [command.argumentHint, command.description].filter(Boolean).join(' — ') || undefined,
        from: 0,
        insert: `/${command.name} `,
      }));
  }

  const trigger = workflowPattern.exec(head);
  if (trigger) {
    const typed = trigger[2]!.replaceAll('-', '_');
    return sources.workflows
      .filter((workflow) => startsWith(workflow.name, typed))
      .slice(0, maxCompletions)
      .map((workflow) => ({
        kind: 'workflow',
        label: workflow.name,
        detail: workflow.description || workflow.steps?.join(' → ') || undefined,
        // The whole trigger is rewritten, so `start adw:plan` or `Start ADW :plan` reads as the usual form.
        from: head.length - head.trimStart().length,
        insert: `${triggerText}${workflow.name}: `,
      }));
  }

  const found: Completion[] = [];
  const trimmed = head.trimStart();
  if (trimmed.length >= 2 && !head.includes('\n') && startsWith(triggerText, trimmed)) {
    found.push({
      kind: 'trigger',
      label: 'start adw: <workflow>: <prompt>',
      detail: 'starts an ADW at once, without a model turn',
      from: head.length - trimmed.length,
      insert: triggerText,
    });
  }
  const word = wordPattern.exec(head)?.[1];
  if (word) {
    const from = caret - word.length;
    const named = (kind: 'agent' | 'template', name: string, detail?: string): Completion => ({
      kind,
      label: name,
      detail,
      from,
      insert: name,
    });
    for (const agent of sources.agents)
      if (startsWith(agent, word) && agent !== word) found.push(named('agent', agent, 'agent'));
    for (const template of sources.templates)
      if (startsWith(template.name, word) && template.name !== word)
        found.push(
          named(
            'template',
            template.name,
            `template${template.description ? ` — ${template.description}` : ''}`,
          ),
        );
  }
  return found.slice(0, maxCompletions);
}

/** The text and caret after taking a suggestion. */
export function applyCompletion(
  text: string,
  caret: number,
  completion: Completion,
): { text: string; caret: number } {
  const next = text.slice(0, completion.from) + completion.insert + text.slice(caret);
  return { text: next, caret: completion.from + completion.insert.length };
}
