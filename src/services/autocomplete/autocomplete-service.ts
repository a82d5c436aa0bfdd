import { describeError } from '../../core/errors.ts';
import {
  autocompleteFeedbackCounts,
  autocompleteFeedbackDigest,
  insertAutocompleteFeedback,
  recentAutocompleteFeedback,
  type AutocompleteFeedbackRow,
} from '../../db/autocomplete.ts';
import type { Pool } from '../../db/pool.ts';
import { insertSystemLog } from '../../db/system-logs.ts';
import {
  autocompleteBounds,
  buildAutocompletePrompt,
  readAutocompleteAnswer,
  type AutocompleteHistoryItem,
  type Suggestion,
} from '../../experts/index.ts';
import type { AutocompleteModel } from './autocomplete-model.ts';
import { createWorkspaceViews, type WorkspaceViews } from './workspace-view.ts';

export interface SuggestRequest {
  /** The working directory whose history and workspace shape the prompt (absolute). */
  cwd: string;
  /** The chat input as typed so far. */
  text: string;
  /** Aborted when the person typed on or went away: the model request is cancelled with it. */
  signal?: AbortSignal;
}

export interface SuggestResult {
  /** At most three; empty when there is nothing to offer, with `reason` saying why. */
  suggestions: Suggestion[];
  /** The model asked, or null without model access. */
  model: string | null;
  reason?: string;
  /** The request was cancelled before the model answered. */
  cancelled: boolean;
}

export type AutocompleteFeedback =
  | { cwd: string; kind: 'accepted'; input: string; completion: string; reason?: string }
  | { cwd: string; kind: 'rejected'; input: string; offered: readonly string[] };

/** What the autocomplete of one working directory is doing and has learned from. */
export interface AutocompleteState {
  cwd: string;
  model: string | null;
  /** Suggestion requests this process is waiting on for the directory. */
  generating: number;
  learned: { accepted: number; rejected: number };
}

export interface AutocompleteService {
  suggest(request: SuggestRequest): Promise<SuggestResult>;
  /** Records what the person did with the suggestions; the next prompts learn from it. */
  feedback(feedback: AutocompleteFeedback): Promise<AutocompleteState>;
  state(cwd: string): Promise<AutocompleteState>;
  /** Called when a directory's state changes (a request starts or ends, feedback is recorded). */
  onChanged(listener: (state: AutocompleteState) => void): () => void;
}

export interface AutocompleteServiceDeps {
  pool: Pool;
  /** Undefined without model access: suggestions are then empty, saying so. */
  model?: AutocompleteModel;
  /** Why there is no model, said in every empty answer. */
  noModelReason?: string;
  views?: WorkspaceViews;
  log?: (line: string) => void;
}

/**
 * The autocomplete expert: suggestions for the orchestrator's chat input from a small model, learning from
 * what the person accepts and what they send without accepting. The history lives in PostgreSQL per
 * working directory, so a restart loses nothing; the prompt reads only a bounded part of it.
 */
export function createAutocompleteService(deps: AutocompleteServiceDeps): AutocompleteService {
  const log = deps.log ?? (() => {});
  const views = deps.views ?? createWorkspaceViews(deps.pool);
  const listeners = new Set<(state: AutocompleteState) => void>();
  const generating = new Map<string, number>();
  const modelName = deps.model?.model ?? null;

  async function state(cwd: string): Promise<AutocompleteState> {
    return {
      cwd,
      model: modelName,
      generating: generating.get(cwd) ?? 0,
      learned: await autocompleteFeedbackCounts(deps.pool, cwd),
    };
  }

  function announce(cwd: string): void {
    if (listeners.size === 0) return;
    state(cwd).then(
      (current) => {
        for (const listener of listeners) listener(current);
      },
      (error: unknown) => log(`autocomplete: state of ${cwd}: ${describeError(error)}`),
    );
  }

  function track(cwd: string, delta: 1 | -1): void {
    const next = (generating.get(cwd) ?? 0) + delta;
    if (next > 0) generating.set(cwd, next);
    else generating.delete(cwd);
    announce(cwd);
  }

  /** A reason to give an empty answer, logged where `baton logs` and /api/logs show it. */
  async function unusable(cwd: string, reason: string): Promise<void> {
    log(`autocomplete: ${reason}`);
    await insertSystemLog(deps.pool, {
      level: 'WARNING',
      message: `autocomplete gave no suggestions: ${reason}`,
      source: 'autocomplete',
      metadata: { cwd, model: modelName },
    }).catch((error: unknown) => log(`autocomplete: could not log: ${describeError(error)}`));
  }

  async function suggest(request: SuggestRequest): Promise<SuggestResult> {
    const empty = (reason: string, cancelled = false): SuggestResult => ({
      suggestions: [],
      model: modelName,
      reason,
      cancelled,
    });
    if (!deps.model) return empty(deps.noModelReason ?? 'no model access');
    const signal = request.signal ?? new AbortController().signal;
    if (signal.aborted) return empty('cancelled', true);
    track(request.cwd, 1);
    try {
      const [recent, older, workspace] = await Promise.all([
        recentAutocompleteFeedback(deps.pool, request.cwd, autocompleteBounds.recentItems),
        autocompleteFeedbackDigest(
          deps.pool,
          request.cwd,
          autocompleteBounds.recentItems,
          autocompleteBounds.digestPhrases,
        ),
        views.view(request.cwd),
      ]);
      if (signal.aborted) return empty('cancelled', true);
      const prompt = buildAutocompletePrompt({
        text: request.text,
        recent: recent.map(historyItem),
        older,
        workspace,
      });
      let answer: string;
      try {
        answer = await deps.model.complete(prompt, signal);
      } catch (error) {
        if (signal.aborted) return empty('cancelled', true);
        const reason = `the model request failed: ${describeError(error)}`;
        await unusable(request.cwd, reason);
        return empty(reason);
      }
      const reading = readAutocompleteAnswer(answer);
      if (!reading.ok) {
        await unusable(request.cwd, reading.reason);
        return empty(reading.reason);
      }
      if (reading.dropped.length > 0) log(`autocomplete: dropped ${reading.dropped.join('; ')}`);
      return { suggestions: reading.suggestions, model: modelName, cancelled: false };
    } finally {
      track(request.cwd, -1);
    }
  }

  return {
    suggest,
    async feedback(feedback) {
      await insertAutocompleteFeedback(
        deps.pool,
        feedback.kind === 'accepted'
          ? {
              workingDir: feedback.cwd,
              kind: 'accepted',
              input: feedback.input,
              completion: feedback.completion,
              reason: feedback.reason,
            }
          : {
              workingDir: feedback.cwd,
              kind: 'rejected',
              input: feedback.input,
              offered: feedback.offered,
            },
      );
      const current = await state(feedback.cwd);
      for (const listener of listeners) listener(current);
      return current;
    },
    state,
    onChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function historyItem(row: AutocompleteFeedbackRow): AutocompleteHistoryItem {
  return row.kind === 'accepted'
    ? {
        kind: 'accepted',
        input: row.input,
        completion: row.completion ?? '',
        reason: row.reason ?? undefined,
      }
    : { kind: 'rejected', input: row.input, offered: row.offered };
}
