import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.ts';

describe('loadConfig: the event buffer', () => {
  it('bounds the buffer at 64 MiB unless BATON_EVENT_BUFFER_BYTES says otherwise', () => {
    expect(loadConfig({}).eventBufferBytes).toBe(64 * 1024 * 1024);
    expect(loadConfig({ BATON_EVENT_BUFFER_BYTES: '1048576' }).eventBufferBytes).toBe(1_048_576);
  });

  it('names the variable when its value is not a positive whole number', () => {
    expect(() => loadConfig({ BATON_EVENT_BUFFER_BYTES: '64MB' })).toThrow(
      /BATON_EVENT_BUFFER_BYTES must be a positive whole number, got "64MB"/,
    );
  });

  it('refuses the retired BATON_EVENT_BUFFER_LIMIT, naming its replacement', () => {
    expect(() => loadConfig({ BATON_EVENT_BUFFER_LIMIT: '50000' })).toThrow(
      /BATON_EVENT_BUFFER_LIMIT is no longer read.*BATON_EVENT_BUFFER_BYTES/,
    );
  });
});
