// The floor a Node SFU is measured against: a child process with one UDP socket
// that sends every datagram it receives to every sink. In `srtp` mode it also does
// the SRTP work an SFU cannot avoid: unprotect once per incoming packet (with the
// publisher's keys), protect once per sink (with that sink's keys, our SrtpSession).
// No signaling, no ICE, no RTCP, no header rewrite, no packet cache: nothing to
// optimise away. Started by `relais load-test --floor plain|srtp` through fork().

import dgram from "node:dgram";
import type { SrtpProfileId } from "../media/srtp/profiles.js";
import { SrtpSession } from "../media/srtp/session.js";

export interface FloorKey {
  key: string;
  salt: string;
}

export interface FloorRelayConfig {
  mode: "plain" | "srtp";
  profile: SrtpProfileId;
  /** Publisher source ports on 127.0.0.1 and their SRTP keys. */
  publishers: { port: number; key: FloorKey }[];
  sinks: { port: number; key: FloorKey }[];
}

function session(profile: SrtpProfileId, k: FloorKey): SrtpSession {
  const key = Buffer.from(k.key, "hex");
  const salt = Buffer.from(k.salt, "hex");
  return new SrtpSession({ profile, localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt });
}

function start(c: FloorRelayConfig): void {
  const socket = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  const sinkPorts = c.sinks.map((s) => s.port);
  const n = sinkPorts.length;
  if (c.mode === "plain") {
    socket.on("message", (msg) => {
      for (let i = 0; i < n; i++) socket.send(msg, sinkPorts[i], "127.0.0.1");
    });
  } else {
    const inbound = new Map<number, SrtpSession>(c.publishers.map((p) => [p.port, session(c.profile, p.key)]));
    const outbound = c.sinks.map((s) => session(c.profile, s.key));
    socket.on("message", (msg, rinfo) => {
      const plain = inbound.get(rinfo.port)?.unprotectRtp(msg);
      if (!plain) return;
      for (let i = 0; i < n; i++) socket.send(outbound[i].protectRtp(plain), sinkPorts[i], "127.0.0.1");
    });
  }
  socket.on("error", () => {});
  socket.bind(0, "127.0.0.1", () => process.send?.({ port: socket.address().port }));
}

process.once("message", (c: FloorRelayConfig) => start(c));
process.on("disconnect", () => process.exit(0));
