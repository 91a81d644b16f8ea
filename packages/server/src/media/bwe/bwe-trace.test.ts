import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { BweTraceWriter, parseBweTrace } from "./bwe-trace.js";

test("a trace is written only when RELAIS_BWE_TRACE_DIR is set, and reads back as written", async () => {
  const saved = process.env.RELAIS_BWE_TRACE_DIR;
  const dir = mkdtempSync(path.join(tmpdir(), "relais-bwe-"));
  try {
    delete process.env.RELAIS_BWE_TRACE_DIR;
    assert.equal(BweTraceWriter.open("TR_x"), null);
    process.env.RELAIS_BWE_TRACE_DIR = dir;
    const w = BweTraceWriter.open("TR/../x");
    assert.ok(w);
    w.sent(10.5, 65535, 1200, -1);
    w.feedback(20.25, Buffer.from([0x8f, 0xcd, 0, 1, 9, 9]), 1, 4);
    w.estimate(30, 1_234_567.8);
    await w.close();
    const text = readFileSync(path.join(dir, "TR_.._x.bwe.txt"), "utf8");
    assert.match(text, /^# relais bwe trace v1 epochMs=\d+\n/);
    assert.deepEqual(parseBweTrace(text), [
      { kind: "sent", t: 10.5, twSeq: 65535, size: 1200, cluster: -1 },
      { kind: "feedback", t: 20.25, packet: Buffer.from([0xcd, 0, 1, 9]) },
      { kind: "estimate", t: 30, bps: 1_234_568 },
    ]);
    assert.throws(() => parseBweTrace("x 1 2\n"), /bad trace line/);
  } finally {
    if (saved === undefined) delete process.env.RELAIS_BWE_TRACE_DIR;
    else process.env.RELAIS_BWE_TRACE_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});
