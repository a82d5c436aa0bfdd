import type { Frontmatter } from './frontmatter.ts';
import type { ProjectFileProblem } from './problems.ts';
import { parseToolList } from './tool-list.ts';

/**
 * Typed reads of frontmatter fields. A value of the wrong shape is collected as a problem naming the key
 * and its line (the caller decides whether the file is still usable) and read as absent.
 */
export function frontmatterFields(path: string, frontmatter: Frontmatter) {
  const problems: ProjectFileProblem[] = [];
  const invalidKeys = new Set<string>();
  const wrong = (key: string, expected: string) => {
    invalidKeys.add(key);
    problems.push({ path, line: frontmatter.lineOf(key), reason: `${key} must be ${expected}` });
    return undefined;
  };
  const raw = (key: string) => frontmatter.fields[key];

  return {
    problems,
    /** Whether `key` was present with a value of the wrong shape (and a problem says so). */
    invalid: (key: string) => invalidKeys.has(key),
    /** Text; a number or boolean written there is taken as its text (`model: 4` is "4"). */
    text(key: string): string | undefined {
      const value = raw(key);
      if (value === undefined) return undefined;
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        return String(value).trim();
      }
      return wrong(key, 'text (quote it if it holds a ": " or starts with [ or {)');
    },
    /** Text a person may still have written as a YAML list (`- file`): items become `[file]`. */
    hint(key: string): string | undefined {
      const value = raw(key);
      if (Array.isArray(value) && value.every((item) => typeof item !== 'object' || item === null)) {
        return value.map((item) => `[${String(item)}]`).join(' ');
      }
      return this.text(key);
    },
    toolList(key: string): string[] | undefined {
      const value = raw(key);
      if (value === undefined) return undefined;
      return (
        parseToolList(value) ?? wrong(key, 'a list of tool names or one comma-separated line (Read, Grep)')
      );
    },
    boolean(key: string): boolean | undefined {
      const value = raw(key);
      if (value === undefined || typeof value === 'boolean') return value;
      return wrong(key, 'true or false');
    },
  };
}
