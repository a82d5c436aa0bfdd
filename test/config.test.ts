import { describe, expect, it } from 'vitest';
import { defaultMaxAgents, loadConfig } from '../src/config/index.ts';

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

describe('loadConfig: Claude Code processes at once (BATON_MAX_AGENTS)', () => {
  it('takes a positive whole number, naming the variable otherwise', () => {
    expect(loadConfig({ BATON_MAX_AGENTS: '3' }).maxAgents).toBe(3);
    expect(() => loadConfig({ BATON_MAX_AGENTS: '0' })).toThrow(
      /BATON_MAX_AGENTS must be a positive whole number, got "0"/,
    );
    expect(() => loadConfig({ BATON_MAX_AGENTS: 'four' })).toThrow(/BATON_MAX_AGENTS must be a positive/);
  });

  it('defaults to one per core, fewer when half the memory holds fewer at 256 MiB each, and at least one', () => {
    expect(loadConfig({}).maxAgents).toBe(defaultMaxAgents());
    const gib = 2 ** 30;
    expect(defaultMaxAgents(2, 24 * gib)).toBe(2);
    expect(defaultMaxAgents(16, 2 * gib)).toBe(4);
    expect(defaultMaxAgents(1, 128 * 2 ** 20)).toBe(1);
  });
});

describe('loadConfig: where the server listens (BATON_HOST, BATON_PORT)', () => {
  it('defaults to 127.0.0.1:4747, takes 0 for a free port, and names a bad port', () => {
    expect(loadConfig({}).server).toEqual({ host: '127.0.0.1', port: 4747 });
    expect(loadConfig({ BATON_HOST: '::1', BATON_PORT: '0' }).server).toEqual({ host: '::1', port: 0 });
    expect(() => loadConfig({ BATON_PORT: '70000' })).toThrow(/BATON_PORT must be a port number \(0-65535\)/);
    expect(() => loadConfig({ BATON_PORT: 'http' })).toThrow(/BATON_PORT must be a port number/);
  });
});

describe('loadConfig: warm Claude Code processes (BATON_WARM_IDLE_MS)', () => {
  it('keeps a process 60 s by default, takes 0 to switch it off, and names a bad value', () => {
    expect(loadConfig({}).warmIdleMs).toBe(60_000);
    expect(loadConfig({ BATON_WARM_IDLE_MS: '0' }).warmIdleMs).toBe(0);
    expect(loadConfig({ BATON_WARM_IDLE_MS: ' 1500 ' }).warmIdleMs).toBe(1_500);
    expect(() => loadConfig({ BATON_WARM_IDLE_MS: '-1' })).toThrow(
      /BATON_WARM_IDLE_MS must be a whole number ≥ 0 and ≤ 86400000, got "-1"/,
    );
    expect(() => loadConfig({ BATON_WARM_IDLE_MS: '1m' })).toThrow(
      /BATON_WARM_IDLE_MS must be a whole number/,
    );
    expect(() => loadConfig({ BATON_WARM_IDLE_MS: '90000000' })).toThrow(/≤ 86400000/);
  });
});
