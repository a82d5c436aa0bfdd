import { describe, expect, it } from 'vitest';
import { agentEnvironment, type AgentEnvironmentOptions } from '../src/agent/environment.ts';

const configDir = '/var/lib/baton/claude';

function environment(options: Partial<AgentEnvironmentOptions> = {}): Record<string, string> {
  return agentEnvironment({ inherited: {}, credentials: {}, claudeConfigDir: configDir, ...options });
}

describe('agentEnvironment', () => {
  it('inherits the parent environment', () => {
    const env = environment({ inherited: { PATH: '/usr/bin', HOME: '/root', LANG: 'C.UTF-8' } });
    expect(env).toMatchObject({ PATH: '/usr/bin', HOME: '/root', LANG: 'C.UTF-8' });
  });

  it('drops inherited variables that are undefined', () => {
    const env = environment({ inherited: { PATH: '/usr/bin', EMPTY: undefined } });
    expect('EMPTY' in env).toBe(false);
  });

  it('withholds the database URL, baton’s own variables and PostgreSQL settings', () => {
    const env = environment({
      inherited: {
        DATABASE_URL: 'postgres://baton:secret@localhost/baton',
        BATON_HOME: '/var/lib/baton',
        BATON_TOKEN: 'abc',
        PGPASSWORD: 'secret',
        PGUSER: 'baton',
        PGHOST: 'localhost',
        PGPORT: '5432',
        PGDATABASE: 'baton',
        PATH: '/usr/bin',
      },
    });
    for (const name of [
      'DATABASE_URL',
      'BATON_HOME',
      'BATON_TOKEN',
      'PGPASSWORD',
      'PGUSER',
      'PGHOST',
      'PGPORT',
      'PGDATABASE',
    ]) {
      expect(env, name).not.toHaveProperty(name);
    }
    expect(env.PATH).toBe('/usr/bin');
  });

  it('keeps variables that only look like withheld ones', () => {
    const env = environment({ inherited: { MY_DATABASE_URL: 'x', NOT_BATON_X: 'y', PGSSLMODE: 'require' } });
    expect(env).toMatchObject({ MY_DATABASE_URL: 'x', NOT_BATON_X: 'y', PGSSLMODE: 'require' });
  });

  it('sets the settings of a quiet background worker', () => {
    expect(environment()).toMatchObject({
      CLAUDE_CONFIG_DIR: configDir,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      ENABLE_TOOL_SEARCH: 'false',
      IS_SANDBOX: '1',
    });
  });

  it('overrides inherited values of the settings it owns', () => {
    const env = environment({
      inherited: { CLAUDE_CONFIG_DIR: '/root/.claude', ENABLE_TOOL_SEARCH: 'true', IS_SANDBOX: '0' },
    });
    expect(env).toMatchObject({ CLAUDE_CONFIG_DIR: configDir, ENABLE_TOOL_SEARCH: 'false', IS_SANDBOX: '1' });
  });

  it('passes each configured credential under its Claude Code name', () => {
    const env = environment({
      credentials: {
        apiKey: 'key',
        authToken: 'token',
        oauthToken: 'oauth',
        baseUrl: 'https://gateway.example.com',
      },
    });
    expect(env).toMatchObject({
      ANTHROPIC_API_KEY: 'key',
      ANTHROPIC_AUTH_TOKEN: 'token',
      CLAUDE_CODE_OAUTH_TOKEN: 'oauth',
      ANTHROPIC_BASE_URL: 'https://gateway.example.com',
    });
  });

  it('lets configured credentials win over inherited ones', () => {
    const env = environment({
      inherited: { ANTHROPIC_API_KEY: 'inherited-key', ANTHROPIC_BASE_URL: 'https://inherited.example.com' },
      credentials: { apiKey: 'configured-key', baseUrl: 'http://127.0.0.1:9999' },
    });
    expect(env.ANTHROPIC_API_KEY).toBe('configured-key');
    expect(env.ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:9999');
  });

  // The demo points agents at its scripted model; a real key in the shell must not travel with them.
  it('passes no inherited model credentials: only the configured ones', () => {
    const env = environment({
      inherited: {
        ANTHROPIC_API_KEY: 'inherited-key',
        ANTHROPIC_AUTH_TOKEN: 'inherited-token',
        CLAUDE_CODE_OAUTH_TOKEN: 'inherited-oauth',
        ANTHROPIC_BASE_URL: 'https://inherited.example.com',
      },
    });
    expect(env.ANTHROPIC_API_KEY).toBeUndefined();
    expect(env.ANTHROPIC_AUTH_TOKEN).toBeUndefined();
    expect(env.CLAUDE_CODE_OAUTH_TOKEN).toBeUndefined();
    expect(env.ANTHROPIC_BASE_URL).toBeUndefined();
  });

  it('gives a base URL without any key a placeholder key', () => {
    const env = environment({ credentials: { baseUrl: 'http://127.0.0.1:9999' } });
    expect(env.ANTHROPIC_API_KEY).toBe('baton-no-key');
  });

  it.each([{ apiKey: 'key' }, { authToken: 'token' }, { oauthToken: 'oauth' }])(
    'uses no placeholder when a base URL comes with %j',
    (credential) => {
      const env = environment({ credentials: { baseUrl: 'http://127.0.0.1:9999', ...credential } });
      expect(env.ANTHROPIC_API_KEY).not.toBe('baton-no-key');
    },
  );

  it('sets no API key without a base URL or key', () => {
    expect(environment()).not.toHaveProperty('ANTHROPIC_API_KEY');
  });

  it('passes maxRetries as CLAUDE_CODE_MAX_RETRIES, zero included', () => {
    expect(environment({ maxRetries: 4 }).CLAUDE_CODE_MAX_RETRIES).toBe('4');
    expect(environment({ maxRetries: 0 }).CLAUDE_CODE_MAX_RETRIES).toBe('0');
    expect(environment()).not.toHaveProperty('CLAUDE_CODE_MAX_RETRIES');
  });

  it('does not modify the inherited environment', () => {
    const inherited = { PATH: '/usr/bin', DATABASE_URL: 'postgres://x' };
    environment({ inherited, credentials: { apiKey: 'key' } });
    expect(inherited).toEqual({ PATH: '/usr/bin', DATABASE_URL: 'postgres://x' });
  });
});
