import { describe, expect, it } from 'vitest';
import { describeToolCall, oneLine, toolResultText } from '../src/agent/summaries.ts';

const cwd = '/work/project';

describe('oneLine', () => {
  it('collapses whitespace, newlines included, and trims', () => {
    expect(oneLine('  first line\n\n  second\tline  ')).toBe('first line second line');
  });

  it('keeps text at the limit and cuts longer text to the limit with an ellipsis', () => {
    expect(oneLine('a'.repeat(120))).toBe('a'.repeat(120));
    const cut = oneLine('a'.repeat(121));
    expect(cut).toHaveLength(120);
    expect(cut).toBe(`${'a'.repeat(119)}…`);
  });

  it('honours a custom limit', () => {
    expect(oneLine('abcdefghij', 5)).toBe('abcd…');
  });
});

describe('describeToolCall', () => {
  it('describes an Edit with added and removed line counts and a cwd-relative path', () => {
    const input = {
      file_path: `${cwd}/src/app.ts`,
      old_string: 'const a = 1;',
      new_string: 'const a = 2;\nconst b = 3;',
    };
    expect(describeToolCall('Edit', input, cwd)).toBe('Edit src/app.ts (+2 −1)');
  });

  it('counts an empty new_string as no added lines', () => {
    const input = { file_path: `${cwd}/a.ts`, old_string: 'x\ny\nz', new_string: '' };
    expect(describeToolCall('Edit', input, cwd)).toBe('Edit a.ts (+0 −3)');
  });

  it('describes a Write with its line count', () => {
    expect(describeToolCall('Write', { file_path: `${cwd}/README.md`, content: '# T\n\ntext' }, cwd)).toBe(
      'Write README.md (3 lines)',
    );
    expect(describeToolCall('Write', { file_path: `${cwd}/empty.txt`, content: '' }, cwd)).toBe(
      'Write empty.txt (0 lines)',
    );
  });

  it('counts lines as an editor does: a final newline ends the last line', () => {
    expect(describeToolCall('Write', { file_path: `${cwd}/a.txt`, content: 'one\ntwo\n' }, cwd)).toBe(
      'Write a.txt (2 lines)',
    );
    const edit = { file_path: `${cwd}/a.txt`, old_string: 'one\n', new_string: 'uno\ndos\n' };
    expect(describeToolCall('Edit', edit, cwd)).toBe('Edit a.txt (+2 −1)');
  });

  it('describes a MultiEdit by its number of edits', () => {
    const input = { file_path: `${cwd}/src/x.ts`, edits: [{}, {}, {}] };
    expect(describeToolCall('MultiEdit', input, cwd)).toBe('Edit src/x.ts (3 edits)');
  });

  it('keeps a path outside cwd absolute, and a relative path as given', () => {
    expect(describeToolCall('Read', { file_path: '/etc/hosts' }, cwd)).toBe('Read /etc/hosts');
    expect(describeToolCall('Read', { file_path: '/work/project-other/a.ts' }, cwd)).toBe(
      'Read /work/project-other/a.ts',
    );
    expect(describeToolCall('Read', { file_path: 'docs/a.md' }, cwd)).toBe('Read docs/a.md');
  });

  it('shows the cwd itself as "." and keeps absolute paths without a cwd', () => {
    expect(describeToolCall('NotebookEdit', { notebook_path: cwd }, cwd)).toBe('NotebookEdit .');
    expect(describeToolCall('Read', { file_path: `${cwd}/a.ts` })).toBe(`Read ${cwd}/a.ts`);
  });

  it('shows "?" for a missing path', () => {
    expect(describeToolCall('Read', {}, cwd)).toBe('Read ?');
    expect(describeToolCall('Read', undefined, cwd)).toBe('Read ?');
  });

  it('describes a Bash call by its command on one line', () => {
    expect(describeToolCall('Bash', { command: 'npm test\n  -- --run' })).toBe('Bash: npm test -- --run');
  });

  it('cuts a long Bash command to 100 characters', () => {
    const summary = describeToolCall('Bash', { command: `echo ${'x'.repeat(300)}` });
    expect(summary).toHaveLength(100);
    expect(summary.startsWith('Bash: echo xxx')).toBe(true);
    expect(summary.endsWith('…')).toBe(true);
  });

  it.each([
    ['Glob', { pattern: 'src/**/*.ts' }, 'Glob src/**/*.ts'],
    ['Grep', { pattern: 'TODO' }, 'Grep TODO'],
    ['Task', { description: 'Review the diff', prompt: 'long prompt' }, 'Task: Review the diff'],
    ['Agent', { prompt: 'Find the bug' }, 'Task: Find the bug'],
    ['WebFetch', { url: 'https://example.com' }, 'WebFetch https://example.com'],
    ['WebSearch', { query: 'vitest it.fails' }, 'WebSearch: vitest it.fails'],
    ['TodoWrite', { todos: [{}, {}] }, 'TodoWrite (2 items)'],
    ['Skill', { skill: 'review' }, 'Skill: /review'],
  ])('describes %s', (tool, input, expected) => {
    expect(describeToolCall(tool, input, cwd)).toBe(expected);
  });

  it('shows an MCP tool as server.tool', () => {
    expect(describeToolCall('mcp__github__create_issue', { title: 'x' })).toBe('github.create_issue');
    expect(describeToolCall('mcp__my_server__do__thing', {})).toBe('my_server.do__thing');
  });

  it('shows an unknown tool by its name', () => {
    expect(describeToolCall('LSP', { anything: 1 })).toBe('LSP');
  });
});

describe('toolResultText', () => {
  it('returns a string as it is', () => {
    expect(toolResultText('line 1\nline 2')).toBe('line 1\nline 2');
  });

  it('joins the text of content blocks, skipping blocks without text', () => {
    const blocks = [
      { type: 'text', text: 'first' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
      { type: 'text', text: 'second' },
    ];
    expect(toolResultText(blocks)).toBe('first\n\nsecond');
  });

  it('takes stdout from an object that has it', () => {
    expect(toolResultText({ stdout: 'ok\n', stderr: '', interrupted: false })).toBe('ok\n');
  });

  it('falls back to content, output or result fields', () => {
    expect(toolResultText({ content: 'c' })).toBe('c');
    expect(toolResultText({ output: 'o' })).toBe('o');
    expect(toolResultText({ result: 'r' })).toBe('r');
  });

  it('renders any other object as JSON', () => {
    expect(toolResultText({ files: ['a', 'b'], count: 2 })).toBe('{"files":["a","b"],"count":2}');
  });

  it('renders nothing for undefined or null, and numbers as text', () => {
    expect(toolResultText(undefined)).toBe('');
    expect(toolResultText(null)).toBe('');
    expect(toolResultText(42)).toBe('42');
  });
});
