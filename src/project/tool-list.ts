/**
 * A tool list as Claude Code accepts it in frontmatter: a YAML list, or one comma-separated string.
 * Commas inside parentheses belong to a tool's rule (`Bash(git diff:*, git log:*)`), not between tools.
 * Returns undefined when `value` is neither.
 */
export function parseToolList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return splitTopLevelCommas(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return value.map((item) => item.trim()).filter((item) => item !== '');
  }
  return undefined;
}

function splitTopLevelCommas(text: string): string[] {
  const tools: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index <= text.length; index++) {
    const char = text[index];
    if (char === '(') depth++;
    else if (char === ')') depth = Math.max(0, depth - 1);
    else if (index === text.length || (char === ',' && depth === 0)) {
      const tool = text.slice(start, index).trim();
      if (tool !== '') tools.push(tool);
      start = index + 1;
    }
  }
  return tools;
}
