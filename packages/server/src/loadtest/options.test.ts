import assert from "node:assert/strict";
import { test } from "node:test";
import { LoadTestUsageError, parseLoadTestArgs } from "./options.js";

const base = ["--url", "http://127.0.0.1:7880", "--api-key", "k", "--api-secret", "s"];

test("--simulcast is off by default; with it, subscriber sizes default to top", () => {
  const plain = parseLoadTestArgs(base, {});
  assert.equal(plain.simulcast, false);
  assert.equal(plain.subscriberSizes, "top");
  const sc = parseLoadTestArgs([...base, "--simulcast"], {});
  assert.equal(sc.simulcast, true);
  assert.equal(sc.subscriberSizes, "top");
  assert.equal(
    parseLoadTestArgs([...base, "--simulcast", "--resolution", "360p", "--subscriber-sizes", "mixed"], {}).subscriberSizes,
    "mixed",
  );
});

test("--simulcast refuses what it cannot do", () => {
  const refuses = (args: string[], message: RegExp) =>
    assert.throws(
      () => parseLoadTestArgs([...base, ...args], {}),
      (e: Error) => e instanceof LoadTestUsageError && message.test(e.message),
    );
  refuses(["--simulcast", "--resolution", "180p"], /--simulcast needs --resolution 720p \(3 layers\) or 360p \(2 layers\), not 180p/);
  refuses(["--simulcast", "--audio-only"], /needs video/);
  refuses(["--subscriber-sizes", "mixed"], /--subscriber-sizes needs --simulcast/);
  refuses(["--simulcast", "--subscriber-sizes", "huge"], /must be top, mixed, rotate or auto/);
  assert.throws(() => parseLoadTestArgs(["--floor", "srtp", "--simulcast"], {}), /--floor does not simulcast/);
});

test("a secret that starts with dashes is read as the value of --api-secret; unknown flags are refused", () => {
  const o = parseLoadTestArgs(["--url", "http://127.0.0.1:7880", "--api-key", "k", "--api-secret", "--Ab_c", "--json"], {});
  assert.equal(o.apiSecret, "--Ab_c");
  assert.equal(o.json, true);
  assert.throws(
    () => parseLoadTestArgs([...base, "--subscribers"], {}),
    (e: Error) => e instanceof LoadTestUsageError && /--subscribers needs a value/.test(e.message),
  );
  assert.throws(
    () => parseLoadTestArgs([...base, "--publisher", "2"], {}),
    (e: Error) => e instanceof LoadTestUsageError && /unknown option --publisher/.test(e.message),
  );
});
