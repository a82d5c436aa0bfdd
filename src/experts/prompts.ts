import { expandCommand, stripFrontMatter } from '../workflow/prompts.ts';
import type { ExpertFiles } from './discovery.ts';

/**
 * The prompts baton sends to an expert's agent: the expert's own command file (Claude Code's
 * `$ARGUMENTS`/`$1` substitutions), followed by what baton adds. Question and plan get the expertise
 * injected, so the agent does not spend tool calls reading it; self-improve gets baton's contract (the
 * file, its limit, what baton checks).
 */

/** The expertise as a section of a prompt, with what baton knows of its standing. */
export function expertiseSection(files: ExpertFiles, standing?: string): string {
  if (files.expertise === undefined) return '';
  return [
    `## The ${files.domain} expertise (${files.paths.expertise}, injected by baton${standing ? `; ${standing}` : ''})`,
    '',
    'It is working memory, not the source of truth: check what you rely on against the code. You do not need to read the file again.',
    '',
    '```yaml',
    files.expertise.trimEnd(),
    '```',
  ].join('\n');
}

export function questionPrompt(
  command: string,
  question: string,
  files: ExpertFiles,
  standing?: string,
): string {
  return join(
    expandCommand(stripFrontMatter(command), [question]),
    expertiseSection(files, standing),
    '## baton\n\nThis is a read-only question: you cannot write or edit files. Cite files and lines.',
  );
}

export function planPrompt(
  command: string,
  task: string,
  files: ExpertFiles,
  specPath: string,
  standing?: string,
): string {
  return join(
    expandCommand(stripFrontMatter(command), [task]),
    expertiseSection(files, standing),
    [
      '## Output required by baton',
      '',
      `Write the spec to \`${specPath}\` (relative to the working directory); baton checks it. It needs a ` +
        '`# <title>` and the sections `## Objective`, `## Step by Step Tasks` (numbered `### 1. <task>` ' +
        'headings) and `## Acceptance Criteria`. Do not change any other file.',
    ].join('\n'),
  );
}

export interface SelfImproveOptions {
  /** Run `git diff` first (the reference's CHECK_GIT_DIFF). */
  checkGitDiff: boolean;
  focus?: string;
  /** Files changed since `--since`, for the agent to start from. */
  changedFiles?: { since: string; files: string[] };
}

export function selfImprovePrompt(command: string, files: ExpertFiles, options: SelfImproveOptions): string {
  const since = options.changedFiles;
  return join(
    expandCommand(stripFrontMatter(command), [String(options.checkGitDiff), options.focus ?? '']),
    since
      ? [
          `## What changed since ${since.since}`,
          '',
          since.files.length
            ? `Start from these files (see \`git diff ${since.since}\`):\n${since.files
                .slice(0, 200)
                .map((file) => `- ${file}`)
                .join('\n')}${since.files.length > 200 ? `\n- … and ${since.files.length - 200} more` : ''}`
            : 'Nothing has changed in the code since then.',
        ].join('\n')
      : '',
    [
      '## What baton checks when you finish',
      '',
      `- \`${files.paths.expertise}\` must be one valid YAML mapping: an invalid file is replaced by the last good version.`,
      `- At most ${files.maxLines} lines.`,
      '- Every file path it names must exist (relative to the project root), and every name listed under ' +
        '`functions`, `classes`, `tables`, `events`, `routes`, `symbols` or `methods` must be found in the code.',
      '- If nothing needs to change, leave the file as it is and say so.',
    ].join('\n'),
  );
}

function join(...parts: string[]): string {
  return `${parts
    .map((part) => part.trim())
    .filter(Boolean)
    .join('\n\n')}\n`;
}
