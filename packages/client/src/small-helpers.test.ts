/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { preferCodec } from "./codec-preferences.js";
import { toSignalUrl } from "./signal-url.js";

test("signaling URL follows the page scheme and keeps a base path", () => {
  assert.equal(toSignalUrl("https://meet.example.eu"), "wss://meet.example.eu/v1/rtc");
  assert.equal(toSignalUrl("http://localhost:7880/"), "ws://localhost:7880/v1/rtc");
  assert.equal(toSignalUrl("https://example.eu/relais/?x=1#y"), "wss://example.eu/relais/v1/rtc");
  assert.equal(toSignalUrl("wss://example.eu/v1/rtc"), "wss://example.eu/v1/rtc");
  assert.throws(() => toSignalUrl("ftp://example.eu"));
});

test("preferCodec moves every entry of the codec first and keeps the rest in order", () => {
  const codecs = [
    { mimeType: "video/VP8" },
    { mimeType: "video/rtx" },
    { mimeType: "video/H264", p: 1 },
    { mimeType: "video/H264", p: 2 },
    { mimeType: "video/VP9" },
  ];
  assert.deepEqual(
    preferCodec(codecs, "h264").map((c) => c.mimeType),
    ["video/H264", "video/H264", "video/VP8", "video/rtx", "video/VP9"],
  );
  assert.deepEqual(preferCodec(codecs, "vp8"), codecs);
});
