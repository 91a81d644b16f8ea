import assert from "node:assert/strict";
import { before, test } from "node:test";
import { startTestNode, type TestNode, waitFor } from "./support/test-node.js";
import { exitAfterWrtcTests, WrtcPeer } from "./support/wrtc-peer.js";

let node: TestNode;
before(async () => {
  // Announce only ICE-TCP candidates: no UDP path exists, so media must flow over RFC 4571 framing.
  node = await startTestNode({ media: { enableUdp: false, enableTcp: true } });
});
exitAfterWrtcTests(() => node?.stop());

test("media flows over ICE-TCP when the SFU offers no UDP candidate", async () => {
  const pub = await WrtcPeer.join(node.wsUrl, await node.token({ room: "tcp", identity: "pub" }));
  const sub = await WrtcPeer.join(node.wsUrl, await node.token({ room: "tcp", identity: "sub" }));
  try {
    const trackSid = await pub.publishVideo();
    const answer = await sub.subscribe(trackSid, "video");
    assert.match(answer.sdp, /a=candidate:\S+ 1 tcp \d+ 127\.0\.0\.1 \d+ typ host tcptype passive/);
    assert.doesNotMatch(answer.sdp, / udp /);
    await waitFor("decoded frames over TCP", () => sub.frames(trackSid) > 30, 20_000);
    const transportId = node.rooms.get("tcp")!.participants.values().next().value!.transport!.id;
    const stats = await node.rooms.get("tcp")!.participants.values().next().value!.transport!.stats();
    assert.equal(stats.selectedTuple?.protocol, "tcp", transportId);
  } finally {
    pub.close();
    sub.close();
  }
});
