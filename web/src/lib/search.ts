/**
 * The search box: a regular expression when it is one (case-insensitive), else the plain text it reads
 * as, so `fix(` searches for "fix(" instead of failing.
 */
export function textMatcher(query: string): { test(text: string): boolean; mode: 'all' | 'regex' | 'text' } {
  const trimmed = query.trim();
  if (trimmed === '') return { test: () => true, mode: 'all' };
  try {
    const pattern = new RegExp(trimmed, 'i');
    return { test: (text) => pattern.test(text), mode: 'regex' };
  } catch {
    const needle = trimmed.toLowerCase();
    return { test: (text) => text.toLowerCase().includes(needle), mode: 'text' };
  }
}
