import { UserError } from '../core/errors.ts';

/**
 * An expert's domain names its folder, `.claude/commands/experts/<domain>/`, and its slash commands
 * (`/experts:<domain>:question`): a lowercase word, so it is a safe folder name on every system and a
 * valid part of a Claude Code command name.
 */
export const domainPattern = /^[a-z][a-z0-9_-]{0,39}$/;

/** Where every expert of a project lives, relative to the project directory. */
export const expertsFolder = '.claude/commands/experts';

/** The domain as given, or a UserError naming the `domain` field. */
export function checkDomain(domain: string): string {
  if (!domainPattern.test(domain)) {
    throw new UserError(
      `The expert domain "${domain}" is not a safe folder name: use 1–40 lowercase letters, digits, - or _, ` +
        'starting with a letter (e.g. database, websocket, adw).',
      { field: 'domain' },
    );
  }
  return domain;
}

/** An expert's files, relative to the project directory. */
export function expertPaths(domain: string) {
  const folder = `${expertsFolder}/${checkDomain(domain)}`;
  return {
    folder,
    expertise: `${folder}/expertise.yaml`,
    question: `${folder}/question.md`,
    selfImprove: `${folder}/self-improve.md`,
    plan: `${folder}/plan.md`,
    planBuildImprove: `${folder}/plan_build_improve.md`,
  };
}

export type ExpertPaths = ReturnType<typeof expertPaths>;
