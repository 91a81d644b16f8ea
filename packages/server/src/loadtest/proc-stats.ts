// CPU time and memory of another process, from Linux /proc (proc(5)).
// /proc/<pid>/stat fields 14 and 15 (utime, stime) count every thread of the
// process in clock ticks; /proc/<pid>/status VmRSS is the resident set in kB.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

let ticksPerSecond: number | null = null;

function clockTicks(): number {
  if (ticksPerSecond === null) {
    const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
    const n = Number(r.stdout?.trim());
    ticksPerSecond = Number.isInteger(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

/** utime + stime of a /proc stat line, in µs. The command name (field 2) may hold spaces: parse after its ")". */
function cpuUsOfStat(text: string): { cpuUs: number } {
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  // fields[0] is field 3 (state): utime is field 14 → index 11, stime field 15 → index 12.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { cpuUs: (ticks * 1e6) / clockTicks() };
}

export interface ProcessSample {
  /** CPU time of all threads, µs. */
  cpuUs: number;
  rssBytes: number;
  /** CPU time of the main thread (tid = pid) and of all other threads (workers, libuv, V8 helpers), µs. */
  threads: { main: number; others: number };
  atMs: number;
}

/** Samples a process; null when it does not exist or /proc is not there. */
export function sampleProcess(pid: number): ProcessSample | null {
  try {
    const { cpuUs } = cpuUsOfStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
    let main = 0;
    try {
      main = cpuUsOfStat(readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8")).cpuUs;
    } catch {
      // no per-thread accounting here
    }
    const threads = { main, others: cpuUs - main };
    return { cpuUs, rssBytes: rss ? Number(rss[1]) * 1024 : 0, threads, atMs: performance.now() };
  } catch {
    return null;
  }
}

/** CPU used between two samples: in total, on the main thread, on all other threads. */
export function cpuBetween(a: ProcessSample, b: ProcessSample): { cpuUs: number; threads: Record<string, number>; wallMs: number } {
  const threads = { main: b.threads.main - a.threads.main, others: b.threads.others - a.threads.others };
  return { cpuUs: b.cpuUs - a.cpuUs, threads, wallMs: b.atMs - a.atMs };
}

/** Busy and total jiffies of the whole machine (/proc/stat "cpu" line); null without /proc. */
export function sampleMachine(): { busy: number; total: number } | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …: idle + iowait are not busy.
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - v[3] - v[4], total };
  } catch {
    return null;
  }
}
