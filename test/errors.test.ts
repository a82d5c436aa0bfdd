import { describe, expect, it } from 'vitest';
import { describeError } from '../src/core/errors.ts';

describe('describeError', () => {
  it('describes errors and error-like objects in one line, never as [object Object]', () => {
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError({ message: 'lost the connection' })).toBe('lost the connection');
    // pg-boss emits errors wrapped with the queue they came from.
    expect(describeError({ queue: 'baton-adw-step', error: new Error('deadlock') })).toBe('deadlock');
    expect(describeError({ code: 'E1', detail: 'x' })).toBe('{"code":"E1","detail":"x"}');
    expect(describeError('plain')).toBe('plain');
  });
});
