import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A throwaway PostgreSQL server for tests: Debian's binaries, a temp cluster, loopback only. */
export interface PostgresTestServer {
  /** `postgres://relais@127.0.0.1:<port>/<database>` */
  url(database?: string): string;
  stop(): Promise<void>;
}

/**
 * initdb + pg_ctl start on 127.0.0.1 and a free port, socket in the temp dir.
 * PostgreSQL refuses to run as root, so as root the cluster belongs to the
 * `postgres` user and every command runs through `runuser`. Throws (never
 * skips) when the binaries are missing or the server does not start.
 */
export async function startPostgres(): Promise<PostgresTestServer> {
  const bin = findBinDir();
  const dir = mkdtempSync(path.join(os.tmpdir(), "relais-pg-"));
  const data = path.join(dir, "data");
  const logFile = path.join(dir, "server.log");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
  }
  const exec = (cmd: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", path.join(bin, cmd), ...args]) : run(path.join(bin, cmd), args);

  const port = await freePort();
  try {
    await exec("initdb", ["-D", data, "-U", "relais", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
    const serverOptions = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off`;
    await exec("pg_ctl", ["-D", data, "-l", logFile, "-o", serverOptions, "-w", "-t", "60", "start"]);
  } catch (err) {
    const log = existsSync(logFile) ? readFileSync(logFile, "utf8") : "(no server log)";
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${log}`, { cause: err });
  }

  let stopped = false;
  // A test process that dies without running after() must not leave a server behind.
  const stopOnExit = () => {
    if (stopped) return;
    const args = ["-D", data, "-m", "immediate", "-w", "stop"];
    try {
      if (asRoot) execFileSync("runuser", ["-u", "postgres", "--", path.join(bin, "pg_ctl"), ...args], { stdio: "ignore" });
      else execFileSync(path.join(bin, "pg_ctl"), args, { stdio: "ignore" });
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", stopOnExit);
  return {
    url: (database = "postgres") => `postgres://relais@127.0.0.1:${port}/${database}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off("exit", stopOnExit);
      try {
        await exec("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function findBinDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, "bin", "initdb"))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) {
    throw new Error(`no ${root}/*/bin/initdb: install Debian's postgresql package (bash scripts/ensure-system-deps.sh)`);
  }
  return path.join(root, versions[0]!, "bin");
}

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (!line) throw new Error("running as root needs the `postgres` system user (Debian's postgresql package creates it)");
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
