import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

/** How busy a worker thread was over one sample period. */
export interface ThreadLoad {
  /** Event-loop utilisation (0..1): wall time not spent waiting for I/O. */
  utilisation: number;
  /**
   * On-CPU time of this thread over wall time (0..1), from /proc/thread-self/schedstat;
   * null where the kernel does not expose it. High utilisation with a low CPU share
   * means the thread waited for a core other processes held, not that its own work
   * outgrew it.
   */
  cpu: number | null;
}

/** Parses `/proc/<tid>/schedstat`: "<ns on cpu> <ns waiting on a run queue> <timeslices>". */
export function parseSchedstat(text: string): number | null {
  const onCpu = Number(text.slice(0, text.indexOf(" ")));
  return Number.isFinite(onCpu) && onCpu >= 0 ? onCpu : null;
}

function readOnCpuNs(): number | null {
  try {
    return parseSchedstat(readFileSync("/proc/thread-self/schedstat", "latin1"));
  } catch {
    return null;
  }
}

/** Samples the calling thread's load since the previous sample. */
export class ThreadLoadSampler {
  private lastElu = performance.eventLoopUtilization();
  private lastWallMs = performance.now();
  private lastOnCpuNs = readOnCpuNs();

  sample(): ThreadLoad {
    const elu = performance.eventLoopUtilization(this.lastElu);
    this.lastElu = performance.eventLoopUtilization();
    const now = performance.now();
    // Where the kernel has no schedstat (not Linux), it never will: stop asking.
    const onCpu = this.lastOnCpuNs === null ? null : readOnCpuNs();
    const wallNs = (now - this.lastWallMs) * 1e6;
    const cpu = onCpu !== null && this.lastOnCpuNs !== null && wallNs > 0 ? Math.min(1, (onCpu - this.lastOnCpuNs) / wallNs) : null;
    this.lastWallMs = now;
    this.lastOnCpuNs = onCpu;
    return { utilisation: elu.utilization, cpu };
  }
}
