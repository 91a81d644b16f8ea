/** `relais load-test`: lean WebRTC publishers and subscribers against a node (or the floor relay). */
import { spawn } from "node:child_process";
import { runFloor } from "./floor.js";
import { LOAD_TEST_USAGE, LoadTestUsageError, parseLoadTestArgs } from "./options.js";
import { formatSummary } from "./result.js";
import { runAgainstRelais } from "./run.js";

/**
 * The load tester's own GC pauses count as forwarding latency (a packet waiting in
 * our socket while we collect garbage looks late). With V8's default young
 * generation, which grows during the join phase, scavenges reached 20–60 ms every
 * half second at 17k packets/s; a 1 MB semi-space keeps them at a few ms.
 */
const GC_FLAG = "--max-semi-space-size=1";

function reexecWithGcFlag(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, GC_FLAG, process.argv[1], "load-test", ...args], { stdio: "inherit" });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

export async function runLoadTestCli(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(LOAD_TEST_USAGE);
    return 0;
  }
  let options: ReturnType<typeof parseLoadTestArgs>;
  try {
    options = parseLoadTestArgs(args);
  } catch (err) {
    if (err instanceof LoadTestUsageError) {
      console.error(`relais load-test: ${err.message}\n\n${LOAD_TEST_USAGE}`);
      return 2;
    }
    throw err;
  }
  if (!process.execArgv.some((a) => a.startsWith("--max-semi-space-size")) && process.argv[1]) return reexecWithGcFlag(args);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const result = options.floor !== null ? await runFloor(options, log) : await runAgainstRelais(options, log);
  const summary = formatSummary(result);
  if (options.json) {
    log(summary);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    console.log(summary);
  }
  // Exit non-zero when the run did not do what was asked: someone failed to connect or nothing arrived.
  return result.subscribersConnected === result.subscribers && result.packetsReceived > 0 ? 0 : 1;
}
