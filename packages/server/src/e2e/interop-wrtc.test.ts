import assert from "node:assert/strict";
import { before, test } from "node:test";
import { startTestNode, type TestNode, waitFor } from "./support/test-node.js";
import { exitAfterWrtcTests, WrtcPeer } from "./support/wrtc-peer.js";

let node: TestNode;
before(async () => {
  node = await startTestNode();
});
exitAfterWrtcTests(() => node?.stop());

test("libwebrtc (Node) publishes, another libwebrtc peer decodes the forwarded video", async () => {
  const pub = await WrtcPeer.join(node.wsUrl, await node.token({ room: "interop", identity: "pub" }));
  const sub = await WrtcPeer.join(node.wsUrl, await node.token({ room: "interop", identity: "sub" }));
  try {
    const trackSid = await pub.publishVideo();
    await waitFor("trackPublished at the subscriber", () => sub.signal.of("trackPublished").find((m) => m.track.sid === trackSid));
    const answer = await sub.subscribe(trackSid, "video");
    assert.deepEqual(
      answer.subscriptions.map((s) => s.ok),
      [true],
    );
    await waitFor("decoded frames", () => sub.frames(trackSid) > 30, 20_000);
  } finally {
    pub.close();
    sub.close();
  }
});
