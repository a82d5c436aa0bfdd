import type { Command } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { runDoctor } from '../../services/admin/doctor.ts';
import { ExitCode } from '../exit-codes.ts';
import { withInvocation } from '../invocation.ts';
import { paint } from '../terminal.ts';
import { withExamples } from '../help-text.ts';

export function registerDoctor(program: Command): void {
  const command = program
    .command('doctor')
    .description('check that baton can work on this machine (changes nothing)')
    .option('--json', 'print one JSON object')
    .action(async (options: { json?: boolean }) => {
      const checks = await runDoctor(loadConfig());
      const ok = checks.every((check) => check.ok);
      if (options.json) {
        console.log(JSON.stringify({ ok, checks }, null, 2));
      } else {
        for (const check of checks) {
          const mark = check.ok ? paint('green', '✓') : paint('red', '✗');
          console.log(`${mark} ${check.name.padEnd(13)} ${check.detail}`);
          if (check.fix) console.log(`  ${paint('yellow', '→')} ${withInvocation(check.fix)}`);
        }
      }
      process.exitCode = ok ? ExitCode.ok : ExitCode.environment;
    });
  withExamples(command, ['baton doctor', 'baton doctor --json']);
}
