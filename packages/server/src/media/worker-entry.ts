/** Entry point of a media worker thread (see media-control/media-worker.ts for the main-thread side). */
import { parentPort, workerData } from "node:worker_threads";
import type { MainToWorker, WorkerInit, WorkerToMain } from "../media-channel/messages.js";
import type { DtlsCertificate } from "./dtls/dtls-session.js";
import { WorkerCore } from "./worker-core.js";

const { init, certificate } = workerData as { init: WorkerInit; certificate: Omit<DtlsCertificate, "der"> & { der: Uint8Array } };
const port = parentPort!;
const post = (m: WorkerToMain) => port.postMessage(m);
const core = await WorkerCore.start(init, { ...certificate, der: Buffer.from(certificate.der) }, post);
port.on("message", (m: MainToWorker) => {
  core.handleMessage(m);
  if (m.kind === "shutdown") port.close();
});
process.on("uncaughtException", (err) => {
  post({
    kind: "notification",
    event: "log",
    data: { level: "error", msg: `media worker ${init.workerIndex}: ${err.stack ?? err.message}` },
  });
});
