/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { normalizeOrigin, parseRoute } from "./route.js";

test("room links: /r/<room>?token=…, join form unless autoJoin=1", () => {
  const route = parseRoute(new URL("https://meet.example.eu/r/daily%20standup?token=abc"));
  assert.equal(route.mode, "room");
  assert.equal(route.room, "daily standup");
  assert.equal(route.token, "abc");
  assert.equal(route.autoJoin, false);
  assert.equal(parseRoute(new URL("https://x/r/a?autoJoin=1&name=%20Alice%20")).autoJoin, true);
  assert.equal(parseRoute(new URL("https://x/r/a?autoJoin=1&name=%20Alice%20")).name, "Alice");
});

test("embeds auto-join unless autoJoin=0", () => {
  assert.equal(parseRoute(new URL("https://x/embed/a?token=t")).mode, "embed");
  assert.equal(parseRoute(new URL("https://x/embed/a?token=t")).autoJoin, true);
  assert.equal(parseRoute(new URL("https://x/embed/a/?autoJoin=0")).autoJoin, false);
});

test("devices can be skipped, a prefix path is allowed, ?room= is the fallback", () => {
  const route = parseRoute(new URL("https://x/proxy/r/a?camera=0&microphone=false"));
  assert.deepEqual([route.room, route.camera, route.microphone], ["a", false, false]);
  assert.equal(parseRoute(new URL("https://x/app/?room=weekly")).room, "weekly");
  assert.equal(parseRoute(new URL("https://x/app/")).room, null);
  assert.equal(parseRoute(new URL("https://x/r/%E0%A4%A")).room, null, "malformed escape");
  assert.equal(parseRoute(new URL("https://x/r/a?token=")).token, null);
});

test("?resolution=<lines>p asks for a 16:9 camera size", () => {
  assert.deepEqual(parseRoute(new URL("https://x/r/a?resolution=720p")).resolution, { width: 1280, height: 720 });
  assert.deepEqual(parseRoute(new URL("https://x/r/a?resolution=1080P")).resolution, { width: 1920, height: 1080 });
  assert.deepEqual(parseRoute(new URL("https://x/r/a?resolution=360p")).resolution, { width: 640, height: 360 });
  assert.equal(parseRoute(new URL("https://x/r/a?resolution=huge")).resolution, null);
  assert.equal(parseRoute(new URL("https://x/r/a?resolution=9999p")).resolution, null);
  assert.equal(parseRoute(new URL("https://x/r/a")).resolution, null);
});

test("parentOrigin is reduced to an http(s) origin", () => {
  assert.equal(normalizeOrigin("https://intranet.example.eu/some/page"), "https://intranet.example.eu");
  assert.equal(normalizeOrigin("*"), null);
  assert.equal(normalizeOrigin("javascript:alert(1)"), null);
  assert.equal(normalizeOrigin(null), null);
  assert.equal(parseRoute(new URL("https://x/embed/a?parentOrigin=http%3A%2F%2Flocalhost%3A3000")).parentOrigin, "http://localhost:3000");
});
