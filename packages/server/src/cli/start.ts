/** `relais start`: run a node until SIGINT/SIGTERM. */
import { loadConfig } from "../config/config.js";
import { startRelais } from "../main.js";
import { type CommandGroup, parseArgs } from "./args.js";

export const START_USAGE = `  relais start [--config FILE]
      Start a node (HTTP + signaling + web app on one port, media workers).
      Configuration: FILE (YAML), RELAIS_* environment variables; see docs/configuration.md.
      The first start with an empty store prints a development API key, once.`;

export const startCommand: CommandGroup = {
  usage: START_USAGE,
  run: async (args) => {
    const a = parseArgs(args, { values: ["config"] }, START_USAGE);
    const node = await startRelais(loadConfig({ file: a.get("config") }));
    const lines = [
      `Relais is running at ${node.url}`,
      `  media: ${node.media.workers.map((w) => `udp ${w.udpPort} / tcp ${w.tcpPort}`).join(", ")}`,
    ];
    if (node.importedKeys) {
      const { from, count, movedTo } = node.importedKeys;
      lines.push(
        "",
        `Imported ${count} API key${count === 1 ? "" : "s"} from ${from} into ${node.keys.location}.`,
        movedTo
          ? `  The file was moved to ${movedTo}; it still holds the secrets in clear: delete it once you have checked the import (relais keys list).`
          : `  Could not move ${from} aside; it is no longer read: delete it.`,
      );
    }
    if (node.createdKey) {
      lines.push(
        "",
        `A development API key was generated and stored in ${node.keys.location} (shown only this once):`,
        `  API key:    ${node.createdKey.apiKey}`,
        `  API secret: ${node.createdKey.apiSecret}`,
      );
    }
    lines.push("", "Open this join link in two or three browser tabs (valid 4 hours):", `  ${await node.joinLink("demo")}`, "");
    console.log(lines.join("\n"));
    const stop = async () => {
      console.log("Relais is stopping…");
      await node.close();
      process.exit(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    return -1;
  },
};
