/** A file under `.claude/` that could not be used, and why: reported beside what was found, never thrown. */
export interface ProjectFileProblem {
  /** The file (or folder), relative to the project directory, with `/` separators. */
  path: string;
  /** The line (1-based) of the file where the problem is, when it is in the file's text. */
  line?: number;
  /** What is wrong and, where it is not obvious, what to change. */
  reason: string;
}

/** `path:line: reason`, the form editors and terminals link to. */
export function describeProblem(problem: ProjectFileProblem): string {
  return `${problem.path}${problem.line === undefined ? '' : `:${problem.line}`}: ${problem.reason}`;
}

/** By file, then by line: the order a person fixes them in. */
export function compareProblems(a: ProjectFileProblem, b: ProjectFileProblem): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0);
}
