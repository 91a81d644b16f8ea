import { createWriteStream, type WriteStream } from "node:fs";
import path from "node:path";

/**
 * A congestion-control trace of one subscriber: every packet sent (transport-wide
 * sequence number, size, probe cluster) and every transport-cc feedback as
 * received, with the worker's clock. Replaying one through SendSideBwe is how
 * the estimator is tested on what a real receiver behind a real bottleneck
 * reported (bwe/fixtures/). Off unless RELAIS_BWE_TRACE_DIR names a directory:
 * a debugging aid, never on in production.
 *
 *   # relais bwe trace v1 epochMs=<wall clock of t=0>
 *   s <t ms> <twSeq> <bytes> <probe cluster or -1>
 *   f <t ms> <feedback packet, hex>
 *   e <t ms> <estimate bps the live estimator had at its allocation>
 */
export class BweTraceWriter {
  private readonly out: WriteStream;

  private constructor(file: string) {
    this.out = createWriteStream(file, { flags: "w", mode: 0o600 });
    this.out.on("error", () => {}); // a trace is best effort
    // Times are this thread's performance.now(): its time origin on the wall clock aligns a trace with test logs.
    this.out.write(`# relais bwe trace v1 epochMs=${Math.round(Date.now() - performance.now())}\n`);
  }

  /** A writer for `id` in RELAIS_BWE_TRACE_DIR, or null when tracing is off. */
  static open(id: string): BweTraceWriter | null {
    const dir = process.env.RELAIS_BWE_TRACE_DIR;
    if (!dir) return null;
    return new BweTraceWriter(path.join(dir, `${id.replace(/[^A-Za-z0-9_.-]/g, "_")}.bwe.txt`));
  }

  sent(t: number, twSeq: number, size: number, cluster: number): void {
    this.out.write(`s ${t.toFixed(3)} ${twSeq} ${size} ${cluster}\n`);
  }

  feedback(t: number, buf: Buffer, offset: number, length: number): void {
    this.out.write(`f ${t.toFixed(3)} ${buf.toString("hex", offset, offset + length)}\n`);
  }

  estimate(t: number, bps: number): void {
    this.out.write(`e ${t.toFixed(3)} ${Math.round(bps)}\n`);
  }

  /** Ends the file; resolves once it is flushed. */
  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }
}

/** One line of a trace, parsed. */
export type BweTraceEvent =
  | { kind: "sent"; t: number; twSeq: number; size: number; cluster: number }
  | { kind: "feedback"; t: number; packet: Buffer }
  | { kind: "estimate"; t: number; bps: number };

export function parseBweTrace(text: string): BweTraceEvent[] {
  const events: BweTraceEvent[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const f = line.split(" ");
    const t = Number(f[1]);
    if (f[0] === "s") events.push({ kind: "sent", t, twSeq: Number(f[2]), size: Number(f[3]), cluster: Number(f[4]) });
    else if (f[0] === "f") events.push({ kind: "feedback", t, packet: Buffer.from(f[2]!, "hex") });
    else if (f[0] === "e") events.push({ kind: "estimate", t, bps: Number(f[2]) });
    else throw new Error(`bad trace line: ${line.slice(0, 40)}`);
  }
  return events;
}
