import { plural } from '../core/plural.ts';
import { relative, isAbsolute } from 'node:path';

/** One line, at most `max` characters. */
export function oneLine(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Lines as an editor counts them: a final newline ends the last line rather than starting another. */
function lineCount(text: unknown): number {
  if (typeof text !== 'string' || text.length === 0) return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

function displayPath(path: unknown, cwd: string | undefined): string {
  if (typeof path !== 'string') return '?';
  if (cwd && isAbsolute(path)) {
    const shown = relative(cwd, path);
    if (!shown.startsWith('..')) return shown || '.';
  }
  return path;
}

/** "Edit src/app.ts (+12 −3)", "Bash: npm test", "Read README.md": what a tool call does, in one line. */
export function describeToolCall(toolName: string, input: unknown, cwd?: string): string {
  const args = (input ?? {}) as Record<string, unknown>;
  switch (toolName) {
    case 'Read':
      return `Read ${displayPath(args.file_path, cwd)}`;
    case 'Write':
      return `Write ${displayPath(args.file_path, cwd)} (${plural(lineCount(args.content), 'line')})`;
    case 'Edit':
      return `Edit ${displayPath(args.file_path, cwd)} (+${lineCount(args.new_string)} −${lineCount(args.old_string)})`;
    case 'MultiEdit':
      return `Edit ${displayPath(args.file_path, cwd)} (${plural(Array.isArray(args.edits) ? args.edits.length : 0, 'edit')})`;
    case 'NotebookEdit':
      return `NotebookEdit ${displayPath(args.notebook_path, cwd)}`;
    case 'Bash':
      return oneLine(`Bash: ${String(args.command ?? '')}`, 100);
    case 'Glob':
      return oneLine(`Glob ${String(args.pattern ?? '')}`);
    case 'Grep':
      return oneLine(`Grep ${String(args.pattern ?? '')}`);
    case 'Task':
    case 'Agent':
      return oneLine(`Task: ${String(args.description ?? args.prompt ?? '')}`);
    case 'WebFetch':
      return oneLine(`WebFetch ${String(args.url ?? '')}`);
    case 'WebSearch':
      return oneLine(`WebSearch: ${String(args.query ?? '')}`);
    case 'TodoWrite':
      return `TodoWrite (${Array.isArray(args.todos) ? args.todos.length : 0} items)`;
    case 'Skill':
      return oneLine(`Skill: /${String(args.skill ?? args.command ?? '')}`);
    default: {
      const mcp = /^mcp__(.+?)__(.+)$/.exec(toolName);
      return mcp ? `${mcp[1]}.${mcp[2]}` : toolName;
    }
  }
}

/** A short, readable rendering of a tool result (string or content blocks). */
export function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((block) => (block && typeof block === 'object' && 'text' in block ? String(block.text) : ''))
      .join('\n');
  }
  if (content && typeof content === 'object') {
    const record = content as Record<string, unknown>;
    for (const key of ['stdout', 'content', 'output', 'result']) {
      if (typeof record[key] === 'string') return record[key];
    }
    return JSON.stringify(content);
  }
  return String(content ?? '');
}
