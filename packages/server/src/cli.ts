#!/usr/bin/env node
/** `relais` command line: one module per command group under cli/, dispatched from here. */
import { API_USAGE_NOTE, ApiError } from "./cli/api-client.js";
import { CliError, type CommandGroup, UsageError } from "./cli/args.js";
import { keysCommand } from "./cli/keys.js";
import { participantCommand } from "./cli/participants.js";
import { roomCommand } from "./cli/rooms.js";
import { startCommand } from "./cli/start.js";
import { joinLinkCommand, tokenCommand } from "./cli/tokens.js";
import { webhookCommand } from "./cli/webhooks.js";
import { ConfigError } from "./config/config.js";

const loadTestCommand: CommandGroup = {
  usage: "  relais load-test --help\n      Lean WebRTC publishers and subscribers against a node.",
  // Kept in its own module, loaded on demand: the load tester is a client of Relais, not part of the node.
  run: async (args) => (await import("./loadtest/cli.js")).runLoadTestCli(args),
};

const COMMANDS: Record<string, CommandGroup> = {
  start: startCommand,
  token: tokenCommand,
  "join-link": joinLinkCommand,
  keys: keysCommand,
  room: roomCommand,
  participant: participantCommand,
  webhook: webhookCommand,
  "load-test": loadTestCommand,
};

const USAGE = `${Object.values(COMMANDS)
  .map((c) => c.usage)
  .join("\n")}

${API_USAGE_NOTE}

Exit codes: 0 done, 1 the node or the store refused (the error code is shown), 2 bad usage.`;

const isHelp = (a: string | undefined) => a === "--help" || a === "-h" || a === "help";

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || isHelp(cmd)) {
    console.log(`Usage:\n${USAGE}`);
    return cmd === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (!command) throw new UsageError(`unknown command "${cmd}"`);
  // The load tester parses its own arguments, --help included.
  if (cmd !== "load-test" && rest.some((a) => a === "--help" || a === "-h")) {
    console.log(`Usage:\n${command.help ?? command.usage}`);
    return 0;
  }
  return command.run(rest);
}

function report(err: unknown): number {
  if (err instanceof UsageError) {
    console.error(`relais: ${err.message}\n\nUsage:\n${err.usage ?? USAGE}`);
    return 2;
  }
  if (err instanceof ConfigError) {
    console.error(`relais: configuration error: ${err.message}`);
    return 2;
  }
  if (err instanceof ApiError) {
    const hint =
      err.status === 401 ? " (check --api-key/--api-secret, RELAIS_API_KEY/RELAIS_API_SECRET, or whether the key was revoked)" : "";
    console.error(`relais: ${err.code}: ${err.message}${hint}`);
    return 1;
  }
  if (err instanceof CliError) {
    console.error(`relais: ${err.message}`);
    return err.exitCode;
  }
  console.error(`relais: ${(err as Error)?.message ?? String(err)}`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = report(err);
  },
);
