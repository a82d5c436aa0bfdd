import { describe, expect, it } from 'vitest';
import { UserError } from '../src/core/errors.ts';
import { modelAliases, resolveModel } from '../src/agent/models.ts';

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('resolveModel', () => {
  it('maps each alias to its model id', () => {
    expect(resolveModel('opus')).toBe(modelAliases.opus);
    expect(resolveModel('sonnet')).toBe(modelAliases.sonnet);
    expect(resolveModel('haiku')).toBe(modelAliases.haiku);
  });

  it('reads aliases case-insensitively and ignores surrounding spaces', () => {
    expect(resolveModel('Opus')).toBe(modelAliases.opus);
    expect(resolveModel('SONNET')).toBe(modelAliases.sonnet);
    expect(resolveModel('  haiku\n')).toBe(modelAliases.haiku);
  });

  it.each([
    'claude-sonnet-4-5',
    'claude-opus-4-1-20250805',
    'openrouter/anthropic',
    'gpt4',
    'vertex:model',
    'my.model',
  ])('passes the model id %j through', (id) => {
    expect(resolveModel(id)).toBe(id);
  });

  it('trims a model id it passes through', () => {
    expect(resolveModel(' claude-sonnet-4-5 ')).toBe('claude-sonnet-4-5');
  });

  it('refuses an unknown bare word with a UserError naming the flag and the aliases', () => {
    const error = thrownBy(() => resolveModel('sonet'));
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('user_input');
    const message = (error as Error).message;
    expect(message).toContain('"sonet"');
    expect(message).toContain('--model');
    expect(message).toContain('opus, sonnet, haiku');
  });

  it('names the source it was given instead of --model', () => {
    expect(() => resolveModel('gpt', 'BATON_MODEL')).toThrow(/in BATON_MODEL:/);
  });

  it('refuses an empty name', () => {
    expect(() => resolveModel('   ')).toThrow(UserError);
  });

  // `alias in modelAliases` also sees Object.prototype, so 'constructor' returns the Object function.
  it('refuses a bare word that happens to be an Object.prototype property', () => {
    expect(() => resolveModel('constructor')).toThrow(UserError);
  });
});
