import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

/** A V8 CPU profile as the inspector's Profiler.stop returns it (the fields read here). */
interface Profile {
  nodes: { id: number; callFrame: { url: string; functionName: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * The part a frame's source file belongs to: `own` for baton's code, `library` for what it runs on
 * (the database driver, the SDK, Node's internals); undefined for a frame that says nothing.
 */
export type Categorize = (url: string) => { own?: string; library?: string } | undefined;

const special: Record<string, string | null> = {
  '(idle)': null,
  '(garbage collector)': 'garbage collection',
  '(program)': 'V8 and native, unattributed',
  '(root)': 'other',
};

/**
 * Samples this process's CPU with V8's profiler (what --cpu-prof does, started and stopped around one
 * phase) and adds each sample's time to a part: the nearest of baton's own frames on its stack decides;
 * without one (a database reply being parsed, the SDK reading Claude Code's output) the nearest library
 * frame does. Idle time is not counted.
 */
export async function profileCpu(categorize: Categorize, intervalMicros = 500) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalMicros });
  await session.post('Profiler.start');
  return {
    /** Milliseconds of CPU per part; the profile is also saved to `saveAs` when given (for DevTools). */
    async stop(saveAs?: string | ''): Promise<Map<string, number>> {
      const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
      if (saveAs) await writeFile(saveAs, JSON.stringify(profile));
      await session.post('Profiler.disable');
      session.disconnect();
      return attribute(profile, categorize);
    },
  };
}

function attribute(profile: Profile, categorize: Categorize): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const memo = new Map<number, { own?: string; library?: string }>();
  const along = (id: number): { own?: string; library?: string } => {
    const known = memo.get(id);
    if (known) return known;
    const here = categorize(byId.get(id)!.callFrame.url) ?? {};
    const up = parent.has(id) ? along(parent.get(id)!) : {};
    const found = { own: here.own ?? up.own, library: here.library ?? up.library };
    memo.set(id, found);
    return found;
  };
  const totals = new Map<string, number>();
  profile.samples.forEach((id, n) => {
    const name = byId.get(id)!.callFrame.functionName;
    const part = name in special ? special[name] : (along(id).own ?? along(id).library ?? 'other');
    if (part === null || part === undefined) return;
    totals.set(part, (totals.get(part) ?? 0) + (profile.timeDeltas[n] ?? 0) / 1000);
  });
  return totals;
}
