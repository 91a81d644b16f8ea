import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { LoadTestResult } from "../loadtest/result.js";
import { startTestNode, type TestNode } from "./support/test-node.js";

const CLI = fileURLToPath(new URL("../cli.js", import.meta.url));

let node: TestNode;
before(async () => {
  node = await startTestNode();
});
after(async () => {
  await node.stop();
});

function loadTest(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, "load-test", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += String(d);
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += String(d);
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("relais load-test: 1 publisher, 5 subscribers over ICE + DTLS + SRTP, nothing lost, latency measured", {
  timeout: 90_000,
}, async () => {
  const r = await loadTest([
    ...["--url", node.url, "--api-key", node.keys.primary.apiKey, "--api-secret", node.keys.primary.apiSecret],
    ...["--room", "load", "--publishers", "1", "--subscribers", "5", "--resolution", "180p"],
    ...["--duration", "8s", "--warmup", "1s", "--json"],
  ]);
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 1, "--json prints exactly one line on stdout");
  const result = JSON.parse(lines[0]) as LoadTestResult;
  const detail = JSON.stringify(result);
  assert.equal(result.subscribersConnected, 5, detail);
  assert.equal(result.subscribersReceiving, 5, detail);
  assert.equal(result.streams, 10, "audio + video to each of 5 subscribers");
  assert.ok(result.durationS >= 7.5 && result.durationS < 12, `window ${result.durationS} s`);
  // Per subscriber 50 Opus packets/s plus at least one packet per video frame at 30 fps: 80 pkt/s, 3200 in all.
  // Half of that still proves steady forwarding on a busy machine (a publisher whose timer runs late sends less).
  assert.ok(result.packetsReceived > 5 * 8 * 80 * 0.5, `packetsReceived too low: ${detail}`);
  assert.ok(result.lossRate < 0.01, `lossRate: ${detail}`);
  assert.equal(result.srtpFailures, 0, detail);
  // A keyframe every 2 s in the clip: each subscriber sees about four in 8 s.
  assert.ok(result.keyframes >= 5, `keyframes: ${detail}`);
  for (const q of ["p50", "p95", "p99"] as const) {
    const v = result.latencyMs[q];
    assert.ok(typeof v === "number" && v > 0 && v < 5000, `latency ${q}: ${detail}`);
  }
  assert.ok(result.latencyMs.samples > result.packetsReceived * 0.9, `nearly every packet is matched to its send time: ${detail}`);
  assert.ok(typeof result.joinTimeMs === "number" && result.joinTimeMs > 0, `joinTimeMs: ${detail}`);
  assert.match(r.stderr, /measure .*pkt\/s/, "progress lines on stderr");
  assert.match(r.stderr, /added latency +p50/, "summary table on stderr with --json");
});

test("relais load-test --drop-rate: subscribers NACK what they dropped and the SFU's RTX recovers it", { timeout: 60_000 }, async () => {
  const r = await loadTest([
    ...["--url", node.url, "--api-key", node.keys.primary.apiKey, "--api-secret", node.keys.primary.apiSecret],
    ...["--room", "load-nack", "--publishers", "1", "--subscribers", "3", "--resolution", "180p", "--video-only"],
    ...["--duration", "4s", "--warmup", "0s", "--drop-rate", "0.05", "--json"],
  ]);
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const result = JSON.parse(r.stdout.trim()) as LoadTestResult;
  assert.ok(result.injectedDrops > 0, "some packets were dropped on purpose");
  assert.ok(result.nacksSent > 0, "gaps were NACKed");
  assert.ok(result.retransmissionsReceived > 0, "the SFU answered with RTX");
  // Only a retransmission dropped again stays lost: about 5 % of 5 %.
  assert.ok(result.lossRate < 0.02, `residual lossRate ${result.lossRate}`);
  assert.equal(result.srtpFailures, 0);
});

test("relais load-test refuses bad input with exit code 2, --simulcast at 180p included", async () => {
  const [simulcast180p, sizesAlone, noUrl, badResolution] = await Promise.all([
    loadTest(["--url", node.url, "--api-key", "k", "--api-secret", "s", "--simulcast", "--resolution", "180p"]),
    loadTest(["--url", node.url, "--api-key", "k", "--api-secret", "s", "--subscriber-sizes", "mixed"]),
    loadTest(["--api-key", "k", "--api-secret", "s"]),
    loadTest(["--url", node.url, "--api-key", "k", "--api-secret", "s", "--resolution", "4k"]),
  ]);
  assert.equal(simulcast180p.code, 2);
  assert.match(simulcast180p.stderr, /--simulcast needs --resolution 720p \(3 layers\) or 360p \(2 layers\), not 180p/);
  assert.equal(sizesAlone.code, 2);
  assert.match(sizesAlone.stderr, /--subscriber-sizes needs --simulcast/);
  assert.equal(noUrl.code, 2);
  assert.match(noUrl.stderr, /--url is required/);
  assert.equal(badResolution.code, 2);
  assert.match(badResolution.stderr, /--resolution must be one of 720p, 360p, 180p/);
});

test("relais load-test --simulcast --subscriber-sizes mixed: each of 3 subscribers gets its own layer, nothing lost", {
  timeout: 120_000,
}, async () => {
  const r = await loadTest([
    ...["--url", node.url, "--api-key", node.keys.primary.apiKey, "--api-secret", node.keys.primary.apiSecret],
    ...["--room", "load-simulcast", "--publishers", "1", "--subscribers", "3", "--resolution", "720p"],
    ...["--simulcast", "--subscriber-sizes", "mixed", "--duration", "5s", "--warmup", "2s", "--json"],
  ]);
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const result = JSON.parse(r.stdout.trim()) as LoadTestResult;
  const detail = JSON.stringify(result);
  assert.equal(result.subscribersReceiving, 3, detail);
  assert.equal(result.streams, 6, "audio + video to each of 3 subscribers");
  // Subscriber i reported the size of layer i: the SFU forwards 320, 640 and 1280 px wide keyframes, one layer each.
  // A stream is counted only if a keyframe reached it in the window, so this also proves a keyframe per subscriber.
  assert.deepEqual(result.simulcast?.layersReceived, { "320": 1, "640": 1, "1280": 1 }, detail);
  assert.ok(result.lossRate < 0.01, `lossRate (layer switches must not look like loss): ${detail}`);
  assert.equal(result.srtpFailures, 0, detail);
  assert.ok(result.keyframes >= 3, `keyframes: ${detail}`);
  // Every layer is watched during the window: dynacast pauses none of them.
  assert.equal(result.simulcast?.layerPausedMs, 0, detail);
  assert.match(r.stderr, /simulcast +streams by layer/, "summary row");
});

test("a room spanning two media workers: subscribers on the second worker get the producer through a pipe, nothing lost", {
  timeout: 90_000,
}, async () => {
  // Spill after one transport: the publisher stays on its home worker, subscribers alternate between both.
  const two = await startTestNode({ media: { workers: 2, spillAfterTransports: 1 } });
  try {
    const r = await loadTest([
      ...["--url", two.url, "--api-key", two.keys.primary.apiKey, "--api-secret", two.keys.primary.apiSecret],
      ...["--room", "piped", "--publishers", "1", "--subscribers", "4", "--resolution", "180p"],
      ...["--duration", "5s", "--warmup", "1s", "--json"],
    ]);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    const result = JSON.parse(r.stdout.trim()) as LoadTestResult;
    const detail = JSON.stringify(result);
    assert.equal(result.subscribersReceiving, 4, detail);
    assert.ok(result.lossRate < 0.01, `lossRate: ${detail}`);
    assert.equal(result.srtpFailures, 0, detail);
    assert.ok(result.keyframes >= 4, `every subscriber decoded from a keyframe, piped ones included: ${detail}`);
    const stats = await Promise.all(two.media.workers.map((w) => w.request("getWorkerStats", {})));
    for (const s of stats) assert.ok(s.rtpForwarded > 1000, `both workers forwarded media: ${JSON.stringify(stats)}`);
  } finally {
    await two.stop();
  }
});

test("the pure-TypeScript path (RELAIS_NATIVE=0) forwards the same load, nothing lost; the default path is native", {
  timeout: 90_000,
}, async () => {
  const native = await node.media.workers[0]!.request("getWorkerStats", {});
  assert.equal(native.nativeAccelerator, true, "the addon is built by npm install and used by default");
  assert.equal(native.udpBatch?.native, true, "sends go out through sendmmsg");
  assert.equal(native.udpKernelTimestamps, true, "transport-cc arrival times come from the kernel");
  // Workers copy the environment when they start: this node's workers run without the addon.
  process.env.RELAIS_NATIVE = "0";
  let ts: TestNode;
  try {
    ts = await startTestNode();
  } finally {
    delete process.env.RELAIS_NATIVE;
  }
  try {
    const r = await loadTest([
      ...["--url", ts.url, "--api-key", ts.keys.primary.apiKey, "--api-secret", ts.keys.primary.apiSecret],
      ...["--room", "pure-ts", "--publishers", "1", "--subscribers", "3", "--resolution", "180p"],
      ...["--duration", "4s", "--warmup", "1s", "--json"],
    ]);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    const result = JSON.parse(r.stdout.trim()) as LoadTestResult;
    assert.equal(result.subscribersReceiving, 3, JSON.stringify(result));
    assert.ok(result.lossRate < 0.01, `lossRate ${result.lossRate}`);
    assert.equal(result.srtpFailures, 0);
    const stats = await ts.media.workers[0]!.request("getWorkerStats", {});
    assert.equal(stats.nativeAccelerator, false);
    assert.equal(stats.udpBatch?.native, false);
    assert.equal(stats.udpKernelTimestamps, false);
    assert.ok(stats.rtpForwarded > 500, `forwarded ${stats.rtpForwarded}`);
  } finally {
    await ts.stop();
  }
});
