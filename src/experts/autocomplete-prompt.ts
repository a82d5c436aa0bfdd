/**
 * The autocomplete expert's prompt, built from plain data (no I/O): what the person is typing, what they
 * accepted and ignored before (the latest items in full, older ones as counts of their frequent phrases),
 * and the workspace they command (live agents, templates, slash commands, a view of the files). Every
 * section has its own budget, so the whole prompt stays under `autocompleteBounds.promptChars` however
 * long the history or the repository (the reference put its whole, ever-growing history in every prompt).
 */

/** One thing the person did with a set of suggestions, newest first in `recent`. */
export type AutocompleteHistoryItem =
  | { kind: 'accepted'; input: string; completion: string; reason?: string }
  | { kind: 'rejected'; input: string; offered: readonly string[] };

export interface PhraseCount {
  text: string;
  count: number;
}

/** The history older than `recent`, as counts (see autocompleteFeedbackDigest). */
export interface AutocompleteHistoryDigest {
  accepted: number;
  rejected: number;
  topAccepted: readonly PhraseCount[];
  topIgnored: readonly PhraseCount[];
  topOpenings: readonly PhraseCount[];
}

export interface AutocompleteWorkspace {
  agents: readonly { name: string; status: string }[];
  templates: readonly string[];
  slashCommands: readonly string[];
  /** Some of the repository's files, and how many there are in all. */
  files: { paths: readonly string[]; total: number };
}

export interface AutocompletePromptInput {
  /** The chat input as typed so far. */
  text: string;
  recent: readonly AutocompleteHistoryItem[];
  older: AutocompleteHistoryDigest;
  workspace: AutocompleteWorkspace;
}

export interface AutocompletePrompt {
  system: string;
  user: string;
}

/** The bounds of the prompt: items read from storage, and characters per section. */
export const autocompleteBounds = Object.freeze({
  /** History items quoted in full (the newest). */
  recentItems: 20,
  /** Phrases per list of the older history's summary. */
  digestPhrases: 10,
  /** Paths of the repository read for the file view. */
  files: 300,
  /** The input's last characters shown (a completion continues its end). */
  inputChars: 2_000,
  /** One quoted string in the history (an input, a completion, a reason). */
  itemChars: 160,
  /** One name or path. */
  nameChars: 120,
  history: 7_000,
  digest: 3_000,
  agents: 2_000,
  templates: 1_500,
  slashCommands: 2_500,
  fileView: 6_000,
  /** The whole prompt, system and user message; the sections' budgets and the fixed text fit in it. */
  promptChars: 26_000,
});

const instructions = `You suggest how a person might finish the message they are typing to the orchestrator of baton, a control room for AI coding agents. The orchestrator creates and commands agents, starts AI Developer Workflows (ADWs), runs slash commands and answers questions about the work.

Give exactly 3 suggestions. Each is a completion of 2 to 6 words that is appended to the end of the input as typed (do not repeat the input), with a short reason. Make them different from each other. Prefer names that exist in this workspace (agents, templates, slash commands, files) over invented ones. Learn from the person's history: suggest what they tend to accept, and avoid what they ignored.

Answer with JSON only, no prose and no code fence:
{"suggestions":[{"completion":"<2-6 words>","reason":"<why, under 100 characters>"}]}`;

/** The system prompt (instructions, workspace, history) and the user message (the input). */
export function buildAutocompletePrompt(input: AutocompletePromptInput): AutocompletePrompt {
  const b = autocompleteBounds;
  const { workspace } = input;
  const sections = [
    instructions,
    section(
      'Live agents (name: status)',
      workspace.agents,
      (agent) => `${name(agent.name)}: ${name(agent.status)}`,
      b.agents,
    ),
    section('Agent templates', workspace.templates, name, b.templates),
    section('Slash commands', workspace.slashCommands, (command) => `/${name(command)}`, b.slashCommands),
    section(
      `Files (${workspace.files.total} in the repository${workspace.files.total > workspace.files.paths.length ? `, the first ${workspace.files.paths.length}` : ''})`,
      workspace.files.paths,
      name,
      b.fileView,
      workspace.files.total,
    ),
    section(
      'Recent history (newest first)',
      input.recent.slice(0, b.recentItems),
      historyLine,
      b.history,
      input.recent.length,
    ),
    section('Older history (counts)', digestLines(input.older), (line) => line, b.digest),
  ];
  return {
    system: sections.filter((part) => part !== '').join('\n\n'),
    user: `Complete this input:\n<input>${tail(input.text, b.inputChars)}</input>`,
  };
}

function historyLine(item: AutocompleteHistoryItem): string {
  if (item.kind === 'accepted') {
    const reason = item.reason ? ` (reason: ${quote(item.reason)})` : '';
    return `- accepted: ${quote(item.input)} + ${quote(item.completion)}${reason}`;
  }
  const offered = item.offered.length ? `; ignored ${item.offered.map(quote).join(', ')}` : '';
  return `- sent without a suggestion: ${quote(item.input)}${offered}`;
}

function digestLines(digest: AutocompleteHistoryDigest): string[] {
  if (digest.accepted + digest.rejected === 0) return [];
  const counted = (label: string, phrases: readonly PhraseCount[]) =>
    phrases.length === 0
      ? []
      : [
          `${label}: ${phrases
            .slice(0, autocompleteBounds.digestPhrases)
            .map((phrase) => `${quote(phrase.text)} ×${phrase.count}`)
            .join(', ')}`,
        ];
  return [
    `${digest.accepted} accepted and ${digest.rejected} sent without a suggestion before the recent history.`,
    ...counted('Accepted most', digest.topAccepted),
    ...counted('Ignored most', digest.topIgnored),
    ...counted('Messages sent most often start with', digest.topOpenings),
  ];
}

/**
 * A titled list that fits in `budget` characters: items are rendered and taken in order while they fit,
 * and a last line says how many were left out (of `total` when the list given is itself a part).
 */
function section<T>(
  title: string,
  items: readonly T[],
  render: (item: T) => string,
  budget: number,
  total = items.length,
): string {
  if (items.length === 0) return '';
  const head = `## ${title}`;
  const reserve = 40; // room for the "… and N more" line
  const kept: string[] = [];
  let used = head.length;
  for (const item of items) {
    const line = render(item);
    if (used + 1 + line.length > budget - reserve) break;
    kept.push(line);
    used += 1 + line.length;
  }
  const left = total - kept.length;
  return [head, ...kept, ...(left > 0 ? [`… and ${left} more`] : [])].join('\n');
}

/** One line, at most `max` characters. */
function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

const quote = (text: string) => JSON.stringify(clip(text, autocompleteBounds.itemChars));
const name = (text: string) => clip(text, autocompleteBounds.nameChars);

/** The end of the input, where a completion goes; newlines kept. */
function tail(text: string, max: number): string {
  return text.length > max ? `…${text.slice(text.length - max + 1)}` : text;
}
