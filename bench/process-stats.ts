import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';

// Linux reports process times in clock ticks; 100 a second on every common kernel configuration.
const ticksPerSecond = 100;

/**
 * CPU-seconds this process has used (`own`), and those of its children that have exited and been waited
 * for (and, through them, their own children): after a Claude Code process ends, its CPU counts there.
 */
export function cpuSeconds(): { own: number; children: number } {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((index) => Number(fields[index]));
  return { own: (utime! + stime!) / ticksPerSecond, children: (cutime! + cstime!) / ticksPerSecond };
}

/** Live children of this process running `executable` (Claude Code: setpriv execs it in place). */
export function childrenRunning(executable: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parent = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      if (parent === process.pid && readlinkSync(`/proc/${entry}/exe`) === executable)
        pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Proportional set size in MB: shared pages (the Claude Code binary) divided among the processes sharing them. */
function pssMb(pid: number): number {
  try {
    const match = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m);
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples the PSS of every Claude Code process this process runs, every `intervalMs`: the largest sum
 * seen at one moment, and each process's own largest figure.
 */
export function samplePss(executable: string, intervalMs = 500) {
  const target = realpathSync(executable);
  let peakTotal = 0;
  const peakByPid = new Map<number, number>();
  const sample = () => {
    let total = 0;
    for (const pid of childrenRunning(target)) {
      const pss = pssMb(pid);
      total += pss;
      peakByPid.set(pid, Math.max(peakByPid.get(pid) ?? 0, pss));
    }
    peakTotal = Math.max(peakTotal, total);
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop(): { peakTotalMb: number; perProcessMb: number[] } {
      clearInterval(timer);
      sample();
      return { peakTotalMb: peakTotal, perProcessMb: [...peakByPid.values()].filter((mb) => mb > 0) };
    },
  };
}
