import type { FastifyInstance } from "fastify";

/** Liveness and readiness for load balancers and Kubernetes probes. */
export function registerHealth(app: FastifyInstance, ready: () => boolean): void {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => (ready() ? { status: "ready" } : reply.code(503).send({ status: "starting" })));
}
