import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import {
  autocompleteBody,
  autocompleteFeedbackBody,
  autocompleteStateQuery,
  type AutocompleteAnswer,
} from '../../protocol/rest.ts';
import type { ServerDeps } from '../deps.ts';
import { RequestError } from '../http-errors.ts';
import type { Router } from '../route.ts';

/**
 * The chat input's suggestions (the autocomplete expert) and what the person did with them. A request may
 * name a working directory only inside the server's own workspace (an agent's folder in it, say): its
 * files are listed for the prompt, so no request may point the server at any other directory.
 */
export function autocompleteRoutes(router: Router, deps: ServerDeps): void {
  const autocomplete = () => deps.services.autocomplete();

  async function workingDir(cwd: string | undefined, field: string): Promise<string> {
    if (cwd === undefined) return deps.cwd;
    const wanted = resolve(deps.cwd, cwd);
    const [root, real] = await Promise.all([realpath(deps.cwd), realpath(wanted).catch(() => undefined)]);
    const isDir = real !== undefined && (await stat(real).catch(() => undefined))?.isDirectory();
    if (!real || !isDir) throw new RequestError(400, 'bad_field', `${field}: is not a directory`, field);
    const inside = relative(root, real);
    if (inside.startsWith('..') || isAbsolute(inside)) {
      throw new RequestError(
        400,
        'bad_field',
        `${field}: must be the server's workspace (${deps.cwd}) or a directory inside it`,
        field,
      );
    }
    return wanted;
  }

  router.add({
    method: 'GET',
    url: '/api/autocomplete',
    summary:
      "The autocomplete's state for the workspace (or `cwd` inside it): model, requests running, what it learned from.",
    query: autocompleteStateQuery,
    handler: async ({ query }) => autocomplete().state(await workingDir(query.cwd, 'query.cwd')),
  });

  router.add({
    method: 'POST',
    url: '/api/autocomplete',
    summary:
      'Up to three completions (2–6 words each, with a reason) for the chat input as typed; empty with a reason when the model gives none. Closing the request cancels the model call.',
    body: autocompleteBody,
    handler: async ({ body }, _request, reply): Promise<AutocompleteAnswer> => {
      const cwd = await workingDir(body.cwd, 'body.cwd');
      // The client cancels a request the person has typed past by closing it: the model call goes too.
      const controller = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) controller.abort();
      });
      return autocomplete().suggest({ cwd, text: body.text, signal: controller.signal });
    },
  });

  router.add({
    method: 'POST',
    url: '/api/autocomplete/feedback',
    summary:
      'Records that a suggestion was accepted, or that a message was sent without one (rejected, with what was offered); later suggestions learn from it.',
    body: autocompleteFeedbackBody,
    status: 201,
    handler: async ({ body }) => {
      const cwd = await workingDir(body.cwd, 'body.cwd');
      return autocomplete().feedback(
        body.kind === 'accepted'
          ? { cwd, kind: 'accepted', input: body.input, completion: body.completion, reason: body.reason }
          : { cwd, kind: 'rejected', input: body.input, offered: body.offered },
      );
    },
  });
}
