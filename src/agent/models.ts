import { UserError } from '../core/errors.ts';

/**
 * Short names people type, mapped to the model ids Claude Code 2.1.332 resolves them to. Update these
 * when the bundled Claude Code moves on; any full model id passes through untouched.
 */
export const modelAliases = Object.freeze({
  opus: 'claude-opus-5-5',
  sonnet: 'claude-sonnet-5-5',
  haiku: 'claude-haiku-5-5',
});

export type ModelAlias = keyof typeof modelAliases;

/**
 * An alias becomes its model id; anything that looks like a model id (it has a dash, dot, slash, colon or
 * digit, such as `claude-sonnet-4-5` or a gateway's `openrouter/x`) passes through. A bare word that is not
 * an alias is almost certainly a typo, so it is refused with the list of aliases.
 */
export function resolveModel(name: string, source = '--model'): string {
  const trimmed = name.trim();
  const alias = trimmed.toLowerCase();
  if (Object.hasOwn(modelAliases, alias)) return modelAliases[alias as ModelAlias];
  if (/^[a-z]+$/i.test(trimmed) || trimmed === '') {
    throw new UserError(
      `Unknown model "${name}" in ${source}: use one of ${Object.keys(modelAliases).join(', ')} ` +
        'or a full model id such as claude-sonnet-4-5.',
    );
  }
  return trimmed;
}
