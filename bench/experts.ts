/**
 * npm run bench:experts [-- --quick] — what an expert's expertise saves, and what baton's check costs.
 *
 * 1. The same questions about a fixture codebase, asked twice through the agent runner with real Claude
 *    Code: with the expertise (the prompt `baton expert question` builds: the expert's question.md and
 *    the expertise injected) and without it (the same prompt with no expertise section). The fake model
 *    is scripted as a model would behave: when the prompt holds the answer it answers at once; otherwise
 *    it greps for the symbol, reads the file and then answers. Per answer: tool calls, turns, input
 *    tokens the model was sent (the fake server's estimate, 1 token per 4 characters of each request,
 *    Claude Code's own system prompt and tools included), and the tokens of the prompt baton built.
 * 2. baton's check of an expertise (parse, line limit, claims: 100 paths, 100 symbols) on a git repository
 *    of 5,000 files, and the staleness figure of `expert ls` (files changed since a commit), median of 5.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { modelAliases } from '../src/agent/models.ts';
import { loadConfig } from '../src/config/index.ts';
import { readEventsAfter } from '../src/db/events.ts';
import { createEventWriter } from '../src/db/event-writer.ts';
import { createSessionMirror } from '../src/db/session-store.ts';
import {
  checkExpertiseFile,
  filesChangedSince,
  loadExpertFiles,
  questionPrompt,
  scaffoldExpert,
} from '../src/experts/index.ts';
import { createAgentRunner } from '../src/services/runs/agent-runner.ts';
import { agentRuntimeFor } from '../src/services/services.ts';
import { startFakeModelServer, type Turn } from '../src/testing/fake-model-server/index.ts';
import { reply, toolUse, turn } from '../src/testing/fake-model-server/turns.ts';
import { benchDatabase, load, machine, percentile, writeSection } from './support.ts';

const quick = process.argv.includes('--quick');
const questionCount = quick ? 3 : 8;
const modules = 24;
const model = modelAliases.haiku;

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@baton.invalid', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

/** The fixture: `modules` files, each with two functions, and an expertise that knows where they are. */
async function fixture(dir: string) {
  const functions: { name: string; file: string; line: number }[] = [];
  await mkdir(join(dir, 'src'), { recursive: true });
  for (let m = 0; m < modules; m += 1) {
    const file = `src/module_${m}.js`;
    const names = [`load${m}Records`, `save${m}Records`];
    const body = names.map((name) => `function ${name}(input) {\n  return input;\n}\n`).join('\n');
    await writeFile(join(dir, file), `${body}\nmodule.exports = { ${names.join(', ')} };\n`);
    names.forEach((name, index) => functions.push({ name, file, line: 1 + index * 4 }));
  }
  await writeFile(join(dir, 'README.md'), '# records\n');
  git(dir, 'init', '-q', '-b', 'main');
  await scaffoldExpert(dir, 'records');
  const expertise = [
    'overview:',
    '  description: Record loading and saving, one module per record kind',
    'functions:',
    ...functions.map(({ name, file, line }) => `  - name: ${name}\n    file: ${file}:${line}`),
    '',
  ].join('\n');
  await writeFile(join(dir, '.claude/commands/experts/records/expertise.yaml'), expertise);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'fixture');
  return functions;
}

/** A question's script: answer from the prompt when it holds the answer, else Grep → Read → answer. */
function questionTurns(
  dir: string,
  tag: string,
  target: { name: string; file: string; line: number },
): Turn[] {
  const answer = `${target.name} is defined in ${target.file}:${target.line}.`;
  return [
    { ...reply(answer), match: { lastUserText: { contains: tag }, anyText: { contains: target.file } } },
    {
      ...turn(toolUse('Grep', { pattern: `function ${target.name}`, path: dir })),
      match: { lastUserText: { contains: tag } },
    },
    {
      ...turn(toolUse('Read', { file_path: join(dir, target.file) })),
      match: { anyText: { contains: tag }, lastToolResult: { toolName: 'Grep' } },
    },
    { ...reply(answer), match: { anyText: { contains: tag }, lastToolResult: { toolName: 'Read' } } },
  ].map((scripted) => ({ ...scripted, times: 'always' as const }));
}

const work = await mkdtemp(join(tmpdir(), 'baton-bench-experts-'));
const home = await mkdtemp(join(tmpdir(), 'baton-bench-experts-home-'));
const db = await benchDatabase();
try {
  const functions = await fixture(work);
  const targets = Array.from({ length: questionCount }, (_, n) => functions[(n * 5) % functions.length]!);
  const server = await startFakeModelServer({
    script: targets.flatMap((target, n) => [
      ...questionTurns(work, `[q${n} with]`, target),
      ...questionTurns(work, `[q${n} without]`, target),
    ]),
  });
  const runtime = agentRuntimeFor(
    loadConfig({
      PATH: process.env.PATH,
      HOME: home,
      BATON_HOME: home,
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'bench',
    }),
  );
  const writer = createEventWriter(db.pool);
  const sessions = createSessionMirror(db.pool);
  const runner = createAgentRunner({ pool: db.pool, writer, sessions, runtime });
  const files = await loadExpertFiles(work, 'records');

  interface Answer {
    toolCalls: number;
    turns: number;
    inputTokens: number;
    promptTokens: number;
    correct: boolean;
  }
  const ask = async (n: number, withExpertise: boolean): Promise<Answer> => {
    const target = targets[n]!;
    const question = `[q${n} ${withExpertise ? 'with' : 'without'}] Where is ${target.name} defined?`;
    const prompt = questionPrompt(
      files.prompts.question!,
      question,
      withExpertise ? files : { ...files, expertise: undefined },
      withExpertise ? 'version 1' : undefined,
    );
    const started = await runner.start({
      prompt,
      cwd: work,
      model,
      allowedTools: ['Read', 'Glob', 'Grep'],
      author: 'engineer',
    });
    const { run } = await started.done;
    const events = await readEventsAfter(db.pool, 0, { runId: run.id }, 10_000);
    return {
      toolCalls: events.filter((event) => event.type === 'ToolUseBlock').length,
      turns: run.num_turns,
      inputTokens: run.input_tokens + run.cache_read_tokens + run.cache_creation_tokens,
      promptTokens: Math.ceil(prompt.length / 4),
      correct: (run.result_text ?? '').includes(`${target.file}:${target.line}`),
    };
  };
  const results = { with: [] as Answer[], without: [] as Answer[] };
  for (let n = 0; n < questionCount; n += 1) {
    results.without.push(await ask(n, false));
    results.with.push(await ask(n, true));
  }
  await writer.close();
  await sessions.close();
  await server.close();

  // The check on a 5,000-file repository.
  const big = await mkdtemp(join(tmpdir(), 'baton-bench-experts-big-'));
  let checkMs: number[] = [];
  let changedMs: number[] = [];
  let stale = -1;
  try {
    for (let d = 0; d < 50; d += 1) {
      await mkdir(join(big, `pkg${d}`), { recursive: true });
      for (let f = 0; f < 100; f += 1) {
        await writeFile(
          join(big, `pkg${d}/file${f}.ts`),
          `export function fn_${d}_${f}(x: number) {\n  return x + ${f};\n}\n`,
        );
      }
    }
    git(big, 'init', '-q', '-b', 'main');
    await scaffoldExpert(big, 'big');
    const paths = Array.from({ length: 100 }, (_, n) => `pkg${n % 50}/file${(n * 7) % 100}.ts`);
    const symbols = Array.from({ length: 100 }, (_, n) => `fn_${(n * 3) % 50}_${(n * 11) % 100}`);
    const expertise = `key_files:\n${paths.map((path) => `  - ${path}`).join('\n')}\nfunctions:\n${symbols.map((symbol) => `  - ${symbol}(x)`).join('\n')}\n`;
    await writeFile(join(big, '.claude/commands/experts/big/expertise.yaml'), expertise);
    git(big, 'add', '-A');
    git(big, 'commit', '-q', '-m', 'big');
    const head = git(big, 'rev-parse', 'HEAD').trim();
    await writeFile(join(big, 'pkg0/file0.ts'), 'export const changed = 1;\n');
    for (let i = 0; i < 5; i += 1) {
      let start = performance.now();
      const check = await checkExpertiseFile(big, '.claude/commands/experts/big/expertise.yaml', 1000);
      checkMs.push(performance.now() - start);
      stale = check.ok ? check.stale.length : -1;
      start = performance.now();
      await filesChangedSince(big, head);
      changedMs.push(performance.now() - start);
    }
  } finally {
    await rm(big, { recursive: true, force: true });
  }
  checkMs = checkMs.sort((a, b) => a - b);
  changedMs = changedMs.sort((a, b) => a - b);

  const mean = (answers: Answer[], key: keyof Omit<Answer, 'correct'>) =>
    answers.reduce((sum, answer) => sum + answer[key], 0) / answers.length;
  const row = (label: string, answers: Answer[]) =>
    `| ${label} | ${mean(answers, 'toolCalls').toFixed(1)} | ${mean(answers, 'turns').toFixed(1)} | ${Math.round(mean(answers, 'inputTokens')).toLocaleString('en')} | ${Math.round(mean(answers, 'promptTokens')).toLocaleString('en')} | ${answers.filter((answer) => answer.correct).length}/${answers.length} |`;
  const saved = 1 - mean(results.with, 'inputTokens') / mean(results.without, 'inputTokens');
  const markdown = `## Agent experts (\`npm run bench:experts\`${quick ? ' -- --quick' : ''})

${machine()}, ${db.where}, ${load()} at the end. ${questionCount} questions ("where is <function> defined?") about a
fixture of ${modules} modules, each asked through the agent runner with real Claude Code and the fake model,
once with the prompt \`baton expert question\` builds (the expertise injected) and once with the same prompt
without it. The model is scripted to answer at once when the prompt holds the answer, and otherwise to
Grep, Read, then answer. Input tokens: what the model was sent over the whole answer (the fake server's
estimate, 1 token per 4 characters of each request, Claude Code's system prompt and tools included).

| prompt | tool calls / answer | turns / answer | input tokens / answer | tokens of baton's prompt | answers citing file:line |
| --- | --- | --- | --- | --- | --- |
${row('with the expertise', results.with)}
${row('without it', results.without)}

With the expertise each answer needed ${mean(results.with, 'toolCalls').toFixed(1)} tool calls instead of ${mean(results.without, 'toolCalls').toFixed(1)} and ${(saved * 100).toFixed(0)} % fewer input tokens, although its
own prompt is larger: every turn saved resends Claude Code's whole context. This shows the mechanism with a
scripted model; how often a real model can answer from the expertise depends on the expertise.

baton's check of an expertise with 100 paths and 100 symbols on a git repository of 5,000 files (5 runs):
median ${percentile(checkMs, 50).toFixed(0)} ms (max ${checkMs.at(-1)!.toFixed(0)} ms), finding ${stale} stale claim${stale === 1 ? '' : 's'} (one file was rewritten after
the commit, removing a function the expertise names: exactly 1 is expected); files changed since the checked
commit (\`expert ls\`'s staleness): median ${percentile(changedMs, 50).toFixed(0)} ms. The machine is shared with other work, so the
times are an upper bound.`;
  console.log(markdown);
  await writeSection('experts', markdown);
} finally {
  await db.close();
  await rm(work, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
}
