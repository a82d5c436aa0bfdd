import { describe, expect, it } from 'vitest';
import {
  checkDomain,
  expertPaths,
  extractClaims,
  lineCount,
  maxLinesOf,
  normalizedExpertise,
  parseExpertise,
  symbolName,
} from '../src/experts/index.ts';

describe('expert domains', () => {
  it('accept safe folder names and refuse the rest, naming the field', () => {
    expect(checkDomain('database')).toBe('database');
    expect(expertPaths('web_socket').expertise).toBe('.claude/commands/experts/web_socket/expertise.yaml');
    for (const bad of ['../etc', 'Database', '', 'a/b', '-x', 'x'.repeat(41), 'db.yaml']) {
      expect(() => checkDomain(bad), bad).toThrow(expect.objectContaining({ field: 'domain' }));
    }
  });
});

describe('expertise files', () => {
  it('parse as one YAML mapping, with their line count', () => {
    const parsed = parseExpertise('overview:\n  description: greets\nfunctions: [greet]\n');
    expect(parsed).toEqual({
      ok: true,
      value: { value: { overview: { description: 'greets' }, functions: ['greet'] }, lines: 3 },
    });
  });

  it('report invalid YAML, duplicate keys and a top level that is not a mapping', () => {
    const invalid = parseExpertise('overview:\n  description: "unclosed\n');
    expect(invalid.ok).toBe(false);
    expect(parseExpertise('a: 1\na: 2\n')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/unique/i),
    });
    expect(parseExpertise('- a\n- b\n')).toMatchObject({
      ok: false,
      error: expect.stringContaining('mapping'),
    });
    expect(parseExpertise('')).toMatchObject({ ok: false });
  });

  it('count lines like wc -l, plus a last line without a newline', () => {
    expect(lineCount('')).toBe(0);
    expect(lineCount('a\n')).toBe(1);
    expect(lineCount('a\nb')).toBe(2);
  });

  it('normalise so key order and formatting are no change, but content is', () => {
    const a = parseExpertise('b: 1\na: [x, y] # note\n');
    const b = parseExpertise('a:\n  - x\n  - y\nb: 1\n');
    const c = parseExpertise('a: [y, x]\nb: 1\n');
    if (!a.ok || !b.ok || !c.ok) throw new Error('fixtures parse');
    expect(normalizedExpertise(a.value.value)).toBe(normalizedExpertise(b.value.value));
    expect(normalizedExpertise(a.value.value)).not.toBe(normalizedExpertise(c.value.value));
  });

  it('take the line limit from the self-improve prompt’s MAX_LINES, else 1000', () => {
    expect(maxLinesOf('## Variables\n\nMAX_LINES: 400\n')).toBe(400);
    expect(maxLinesOf('no limit here')).toBe(1000);
    expect(maxLinesOf(undefined)).toBe(1000);
  });
});

describe('claims', () => {
  it('finds paths (whole values, keys, paths inside text) and symbols under symbol keys', () => {
    const claims = extractClaims({
      overview: {
        description: 'Greets people; see src/greet.js:3-5 and https://example.com/a/b.html, version 1.2.3',
        key_files: ['README.md', './lib/util.js'],
      },
      key_file_locations: { 'src/server.js': 'the HTTP server' },
      functions: ['greet(name): returns a greeting', 'Greeter.farewell', 'returns nothing useful'],
      classes: { Greeter: 'holds the names, in lib/greeter.js' },
      tables: [{ name: 'users', file: 'db/schema.sql' }],
      events: ['user.created: when a user signs up'],
      routes: ['GET /api/health'],
      notes: 'Call `startServer()` first.',
    });
    expect(claims.map((claim) => `${claim.kind}:${claim.target}`).sort()).toEqual(
      [
        'path:src/greet.js',
        'path:README.md',
        'path:lib/util.js',
        'path:src/server.js',
        'path:lib/greeter.js',
        'path:db/schema.sql',
        'symbol:greet',
        'symbol:farewell',
        'symbol:Greeter',
        'symbol:users',
        'symbol:user.created',
        'symbol:/api/health',
        'symbol:startServer',
      ].sort(),
    );
    const greet = claims.find((claim) => claim.target === 'greet');
    expect(greet).toMatchObject({ text: 'greet(name): returns a greeting', at: 'functions[0]' });
  });

  it('reads the name a symbol entry is about', () => {
    expect(symbolName('createPool(url)')).toBe('createPool');
    expect(symbolName('async run(input)')).toBe('run');
    expect(symbolName('POST /api/adws', 'routes')).toBe('/api/adws');
    expect(symbolName('step.started', 'events')).toBe('step.started');
    expect(symbolName('a long sentence about things')).toBeUndefined();
  });
});
