import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { NotFoundError, UserError } from '../core/errors.ts';
import { defaultPrompts } from './default-prompts.ts';
import { checkDomain, domainPattern, expertPaths, expertsFolder, type ExpertPaths } from './domain.ts';
import { maxLinesOf } from './expertise.ts';

/** An expert as its folder holds it: prompts by name, the expertise text when there is one. */
export interface ExpertFiles {
  domain: string;
  paths: ExpertPaths;
  /** The `.md` prompt files of the folder, by name without `.md` (`question`, `self-improve`, …). */
  prompts: Record<string, string>;
  expertise?: string;
  /** From the self-improve prompt's `MAX_LINES:` line, else 1000. */
  maxLines: number;
}

/** The domains that have a folder under `.claude/commands/experts/`, sorted; odd folder names are skipped. */
export async function discoverExpertDomains(cwd: string): Promise<string[]> {
  const entries = await readdir(join(cwd, expertsFolder), { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isDirectory() && domainPattern.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/** An existing expert's files, or a NotFoundError (field `domain`) naming the experts there are. */
export async function loadExpertFiles(cwd: string, domain: string): Promise<ExpertFiles> {
  const paths = expertPaths(checkDomain(domain));
  const names = await readdir(join(cwd, paths.folder)).catch(() => undefined);
  if (names === undefined) {
    const domains = await discoverExpertDomains(cwd);
    throw new NotFoundError(
      `No expert "${domain}" in ${cwd}: ${domains.length ? `the experts are ${domains.join(', ')}` : 'it has none'}` +
        ` (create one with \`baton expert init ${domain}\`).`,
      { field: 'domain' },
    );
  }
  const prompts: Record<string, string> = {};
  for (const name of names.filter((file) => file.endsWith('.md')).sort()) {
    prompts[name.slice(0, -3)] = await readFile(join(cwd, paths.folder, name), 'utf8');
  }
  const expertise = names.includes('expertise.yaml')
    ? await readFile(join(cwd, paths.expertise), 'utf8')
    : undefined;
  return { domain, paths, prompts, expertise, maxLines: maxLinesOf(prompts['self-improve']) };
}

/** The prompt `name` of an expert, or a UserError naming the missing file. */
export function requirePrompt(files: ExpertFiles, name: 'question' | 'self-improve' | 'plan'): string {
  const text = files.prompts[name];
  if (text === undefined) {
    throw new UserError(
      `The expert ${files.domain} has no ${files.paths.folder}/${name}.md: add it (\`baton expert init ${files.domain}\` writes the default prompts it lacks).`,
      { field: 'domain' },
    );
  }
  return text;
}

/** Writes the default prompt files an expert's folder lacks; returns the files written. */
export async function scaffoldExpert(cwd: string, domain: string, focus?: string): Promise<string[]> {
  const paths = expertPaths(checkDomain(domain));
  const written: string[] = [];
  for (const [path, text] of Object.entries(defaultPrompts(domain, paths, focus))) {
    await mkdir(dirname(join(cwd, path)), { recursive: true });
    // `wx`: a person's own prompt is never overwritten.
    const created = await writeFile(join(cwd, path), text, { flag: 'wx' }).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') return false;
        throw error;
      },
    );
    if (created) written.push(path);
  }
  return written;
}
