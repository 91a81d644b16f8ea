import assert from "node:assert/strict";
import { test } from "node:test";
import { parseArgs, UsageError } from "./args.js";

const spec = { values: ["api-secret", "room"], switches: ["json"], positionals: ["NAME"], optional: ["NAME"] };

test("a flag's value may start with a dash: a base64url secret can", () => {
  for (const secret of ["--kX3_9a", "-Q2w", "-"]) {
    const a = parseArgs(["--api-secret", secret, "--room", "r"], spec);
    assert.equal(a.get("api-secret"), secret);
    assert.equal(a.get("room"), "r");
  }
  assert.equal(parseArgs(["--api-secret=--x"], spec).get("api-secret"), "--x");
});

test("a value left out is still an error when what follows is one of the command's own flags, or nothing", () => {
  const refuses = (args: string[], message: RegExp) =>
    assert.throws(
      () => parseArgs(args, spec),
      (e: Error) => e instanceof UsageError && message.test(e.message),
    );
  refuses(["--api-secret", "--room", "r"], /--api-secret needs a value/);
  refuses(["--api-secret", "--json"], /--api-secret needs a value/);
  refuses(["--api-secret", "--room=r"], /--api-secret needs a value/);
  refuses(["--api-secret", "--"], /--api-secret needs a value/);
  refuses(["--api-secret"], /--api-secret needs a value/);
  refuses(["--nope", "x"], /unknown option --nope/);
  refuses(["--json=1"], /--json takes no value/);
  refuses(["a", "b"], /unexpected argument "b"/);
});

test("positionals, switches and -- behave as documented", () => {
  const a = parseArgs(["--json", "--", "--room"], spec);
  assert.equal(a.has("json"), true);
  assert.equal(a.optionalArg("NAME"), "--room");
  assert.equal(a.get("room"), undefined);
});
