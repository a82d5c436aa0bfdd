import { UserError } from '../core/errors.ts';
import { expertDomainPattern } from '../core/expert-domain.ts';

/** See core/expert-domain.ts. */
export const domainPattern = expertDomainPattern;

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
