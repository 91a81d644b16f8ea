/** Argument parsing shared by the `relais` commands: flags (`--name value`, `--name=value`, `--json`) and positionals. */

/** Bad command-line input: exit code 2, with the usage of the command. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** A failure the user can act on (no store, node unreachable …): `relais: message`, no usage dump. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export interface ArgSpec {
  /** Flags that take a value. */
  values?: readonly string[];
  /** Flags that take none (`--json`). */
  switches?: readonly string[];
  /** Names of the positional arguments, in order (for messages); all are required unless listed in `optional`. */
  positionals?: readonly string[];
  optional?: readonly string[];
}

export interface ParsedArgs {
  get(flag: string): string | undefined;
  has(flag: string): boolean;
  /** The positional arguments, by name. */
  arg(name: string): string;
  optionalArg(name: string): string | undefined;
}

/** `--name=value` or `--name` → `name`. */
function flagName(arg: string): string {
  const eq = arg.indexOf("=");
  return eq > 0 ? arg.slice(2, eq) : arg.slice(2);
}

/** Parses `args` against `spec`; unknown flags, missing values and extra arguments are UsageErrors. `--` ends the flags. */
export function parseArgs(args: readonly string[], spec: ArgSpec, usage?: string): ParsedArgs {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const positionals: string[] = [];
  const known = (name: string) => spec.values?.includes(name) || spec.switches?.includes(name);
  let flagsEnded = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (flagsEnded || !a.startsWith("--")) {
      positionals.push(a);
      continue;
    }
    if (a === "--") {
      flagsEnded = true;
      continue;
    }
    const eq = a.indexOf("=");
    const name = flagName(a);
    if (!known(name)) throw new UsageError(`unknown option --${name}`, usage);
    if (spec.switches?.includes(name)) {
      if (eq > 0) throw new UsageError(`--${name} takes no value`, usage);
      switches.add(name);
      continue;
    }
    if (eq > 0) {
      values.set(name, a.slice(eq + 1));
      continue;
    }
    // The next argument is the value, even when it starts with "-" (a base64url secret can):
    // only a missing one, "--" or one of this command's own flags means the value was left out.
    const v = args[i + 1];
    if (v === undefined || v === "--" || (v.startsWith("--") && known(flagName(v)))) throw new UsageError(`--${name} needs a value`, usage);
    values.set(name, v);
    i++;
  }
  const names = spec.positionals ?? [];
  if (positionals.length > names.length) throw new UsageError(`unexpected argument "${positionals[names.length]}"`, usage);
  const byName = new Map(names.map((n, i) => [n, positionals[i]]));
  for (const n of names) {
    if (byName.get(n) === undefined && !spec.optional?.includes(n)) throw new UsageError(`${n} is required`, usage);
  }
  return {
    get: (flag) => values.get(flag),
    has: (flag) => switches.has(flag) || values.has(flag),
    arg: (name) => byName.get(name)!,
    optionalArg: (name) => byName.get(name),
  };
}

/** A positive integer flag, or undefined when absent. */
export function intFlag(args: ParsedArgs, flag: string, o: { min: number; max: number }, usage?: string): number | undefined {
  const text = args.get(flag);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < o.min || n > o.max)
    throw new UsageError(`--${flag} must be a whole number from ${o.min} to ${o.max}`, usage);
  return n;
}

/** A command group: `relais <group> [sub] …`. */
export interface CommandGroup {
  /** Its lines in `relais --help`. */
  usage: string;
  /** What `relais <group> --help` and usage errors show; `usage` when absent. */
  help?: string;
  /** Returns the exit code; -1 keeps the process running (`relais start`). */
  run(args: string[]): Promise<number>;
}

/** A group whose first argument names a subcommand (`relais keys create …`). */
export function subcommands(
  group: string,
  o: { usage: string; help?: string },
  table: Record<string, (args: string[]) => Promise<number>>,
): CommandGroup {
  const help = o.help ?? o.usage;
  return {
    ...o,
    run: async ([sub, ...rest]) => {
      if (sub === undefined) throw new UsageError(`"relais ${group}" needs a subcommand (${Object.keys(table).join(", ")})`, help);
      const handler = Object.hasOwn(table, sub) ? table[sub] : undefined;
      if (!handler) throw new UsageError(`unknown command "${group} ${sub}"`, help);
      return handler(rest);
    },
  };
}
