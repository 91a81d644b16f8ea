/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { activeRids, applyLayerActivity, type EncodingSender, SenderLayerActivity } from "./dynacast.js";

/** A sender that, like browsers, refuses overlapping setParameters calls. */
class FakeSender implements EncodingSender {
  encodings: RTCRtpEncodingParameters[] = [{ rid: "q" }, { rid: "h" }, { rid: "f" }];
  calls = 0;
  overlapped = false;
  fail = false;
  #pending = false;

  getParameters(): RTCRtpSendParameters {
    return { encodings: this.encodings.map((e) => ({ ...e })), transactionId: "t", codecs: [], headerExtensions: [], rtcp: {} };
  }

  async setParameters(parameters: RTCRtpSendParameters): Promise<void> {
    if (this.#pending) this.overlapped = true;
    this.#pending = true;
    this.calls++;
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.#pending = false;
    if (this.fail) throw new Error("InvalidStateError");
    this.encodings = parameters.encodings.map((e) => ({ ...e }));
  }
}

test("applyLayerActivity matches by rid and reports whether anything changed", () => {
  const encodings: RTCRtpEncodingParameters[] = [{ rid: "q" }, { rid: "h", active: true }, { rid: "f" }];
  assert.equal(
    applyLayerActivity(encodings, [
      { rid: "f", active: false },
      { rid: "x", active: false },
    ]),
    true,
  );
  assert.deepEqual(activeRids(encodings), ["q", "h"]);
  assert.equal(applyLayerActivity(encodings, [{ rid: "f", active: false }]), false, "already inactive");
  assert.equal(applyLayerActivity(encodings, [{ rid: "q", active: true }]), false, "absent active means active");
});

test("updates are applied one setParameters at a time, the latest winning", async () => {
  const sender = new FakeSender();
  const applied: string[][] = [];
  const activity = new SenderLayerActivity(sender, (rids) => applied.push(rids));
  const first = activity.update([
    { rid: "q", active: true },
    { rid: "h", active: false },
    { rid: "f", active: false },
  ]);
  // These arrive while the first call is pending: only the last of them is applied.
  void activity.update([{ rid: "f", active: true }]);
  const last = activity.update([
    { rid: "q", active: true },
    { rid: "h", active: true },
    { rid: "f", active: false },
  ]);
  await Promise.all([first, last]);
  assert.equal(sender.overlapped, false);
  assert.equal(sender.calls, 2);
  assert.deepEqual(activeRids(sender.encodings), ["q", "h"]);
  assert.deepEqual(applied, [["q"], ["q", "h"]]);

  // An update that changes nothing makes no call.
  await activity.update([{ rid: "f", active: false }]);
  assert.equal(sender.calls, 2);
});

test("a failing setParameters is swallowed; a closed activity ignores updates", async () => {
  const sender = new FakeSender();
  sender.fail = true;
  const applied: string[][] = [];
  const activity = new SenderLayerActivity(sender, (rids) => applied.push(rids));
  const warn = console.warn;
  console.warn = () => {};
  try {
    await activity.update([{ rid: "f", active: false }]);
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(applied, []);
  sender.fail = false;
  await activity.update([{ rid: "f", active: false }]);
  assert.deepEqual(applied, [["q", "h"]]);
  activity.close();
  await activity.update([{ rid: "q", active: false }]);
  assert.equal(sender.calls, 2);
  assert.deepEqual(activeRids(sender.encodings), ["q", "h"]);
});
