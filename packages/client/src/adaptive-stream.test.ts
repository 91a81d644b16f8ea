/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { AdaptiveStream, type AdaptiveStreamEnvironment } from "./adaptive-stream.js";
import { RelaisError } from "./errors.js";
import type { TrackSettings } from "./rendered-size.js";

/** Just enough of an HTMLVideoElement for layout reads and the `resize` listener. */
class FakeVideo {
  isConnected = true;
  clientWidth = 0;
  clientHeight = 0;
  videoWidth = 0;
  videoHeight = 0;
  readonly listeners = new Set<() => void>();
  addEventListener(_type: string, listener: () => void): void {
    this.listeners.add(listener);
  }
  removeEventListener(_type: string, listener: () => void): void {
    this.listeners.delete(listener);
  }
}

/** Observers that record what they watch and let the test fire their callbacks. */
function fakeEnvironment() {
  const resize = { callback: undefined as (() => void) | undefined, observed: new Set<unknown>() };
  const intersection = {
    callback: undefined as ((entries: { target: unknown; isIntersecting: boolean }[]) => void) | undefined,
    observed: new Set<unknown>(),
  };
  const docListeners = new Set<() => void>();
  const doc = {
    visibilityState: "visible" as DocumentVisibilityState,
    addEventListener: (_type: string, listener: () => void) => docListeners.add(listener),
    removeEventListener: (_type: string, listener: () => void) => docListeners.delete(listener),
  };
  class FakeResizeObserver {
    constructor(callback: () => void) {
      resize.callback = callback;
    }
    observe(element: unknown) {
      resize.observed.add(element);
    }
    unobserve(element: unknown) {
      resize.observed.delete(element);
    }
    disconnect() {
      resize.observed.clear();
    }
  }
  class FakeIntersectionObserver {
    constructor(callback: (entries: { target: unknown; isIntersecting: boolean }[]) => void) {
      intersection.callback = callback;
    }
    observe(element: unknown) {
      intersection.observed.add(element);
    }
    unobserve(element: unknown) {
      intersection.observed.delete(element);
    }
    disconnect() {
      intersection.observed.clear();
    }
  }
  let dpr = 1;
  const environment = {
    ResizeObserver: FakeResizeObserver,
    IntersectionObserver: FakeIntersectionObserver,
    document: doc,
    devicePixelRatio: () => dpr,
    objectFit: () => "contain",
  } as unknown as AdaptiveStreamEnvironment;
  return {
    environment,
    resize,
    intersection,
    doc,
    docListeners,
    setDpr: (value: number) => (dpr = value),
  };
}

const settle = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

function setup(options: { observeElements?: boolean; send?: (s: TrackSettings) => Promise<unknown> } = {}) {
  const env = fakeEnvironment();
  const sent: TrackSettings[] = [];
  const stream = new AdaptiveStream({
    observeElements: options.observeElements ?? true,
    coalesceMs: 5,
    environment: env.environment,
    send:
      options.send ??
      (async (settings) => {
        sent.push(settings);
      }),
  });
  return { env, sent, stream };
}

const asVideo = (v: FakeVideo) => v as unknown as HTMLVideoElement;

test("observed sizes go out coalesced, only when changed, only while subscribed", async () => {
  const { env, sent, stream } = setup();
  const video = new FakeVideo();
  video.clientWidth = 640;
  video.clientHeight = 360;
  const stop = stream.observe(asVideo(video));
  assert.ok(env.resize.observed.has(video) && env.intersection.observed.has(video));
  await settle();
  assert.deepEqual(sent, [], "nothing is sent before the subscription exists");

  stream.setSubscribed(true);
  await settle();
  assert.deepEqual(sent, [{ width: 640, height: 360, disabled: false }]);

  // A burst of resize callbacks makes one request; an unchanged size makes none.
  env.setDpr(2);
  for (let i = 0; i < 5; i++) {
    video.clientWidth = 100 + i * 10;
    video.clientHeight = 100;
    env.resize.callback?.();
  }
  await settle();
  assert.deepEqual(sent.slice(1), [{ width: 280, height: 200, disabled: false }]);
  env.resize.callback?.();
  await settle();
  assert.equal(sent.length, 2);

  // Scrolled out of view, then the page hidden: disabled; back: enabled again.
  env.intersection.callback?.([{ target: video, isIntersecting: false }]);
  await settle();
  assert.deepEqual(sent.at(-1), { width: 0, height: 0, disabled: true });
  env.intersection.callback?.([{ target: video, isIntersecting: true }]);
  await settle();
  assert.deepEqual(sent.at(-1), { width: 280, height: 200, disabled: false });
  env.doc.visibilityState = "hidden";
  for (const listener of env.docListeners) listener();
  await settle();
  assert.deepEqual(sent.at(-1), { width: 0, height: 0, disabled: true });
  env.doc.visibilityState = "visible";
  for (const listener of env.docListeners) listener();
  await settle();
  assert.deepEqual(sent.at(-1), { width: 280, height: 200, disabled: false });

  // The element stops showing the track: nothing visible → disabled.
  const count = sent.length;
  stop();
  assert.ok(!env.resize.observed.has(video) && video.listeners.size === 0);
  await settle();
  assert.equal(sent.length, count + 1);
  assert.deepEqual(sent.at(-1), { width: 0, height: 0, disabled: true });
});

test("the largest of several elements decides; manual values override; re-subscription and resume re-send", async () => {
  const { sent, stream } = setup();
  const big = new FakeVideo();
  big.clientWidth = 1200;
  big.clientHeight = 700;
  const small = new FakeVideo();
  small.clientWidth = 160;
  small.clientHeight = 90;
  stream.setSubscribed(true);
  stream.observe(asVideo(big));
  const stopSmall = stream.observe(asVideo(small));
  await settle();
  assert.deepEqual(sent, [{ width: 1200, height: 700, disabled: false }]);
  big.isConnected = false; // removed from the page without unobserve
  stopSmall();
  stream.observe(asVideo(small));
  await settle();
  assert.deepEqual(sent.at(-1), { width: 160, height: 90, disabled: false });

  stream.setVideoDimensions(320, 180);
  await settle();
  assert.deepEqual(sent.at(-1), { width: 320, height: 180, disabled: false });
  stream.setEnabled(false);
  await settle();
  assert.deepEqual(sent.at(-1), { width: 320, height: 180, disabled: true });

  // A new subscription starts from the server's defaults: the same settings go out again.
  const count = sent.length;
  stream.setSubscribed(false);
  await settle();
  assert.equal(sent.length, count);
  stream.setSubscribed(true);
  await settle();
  assert.equal(sent.length, count + 1);
  stream.resend();
  await settle();
  assert.equal(sent.length, count + 2);
  assert.deepEqual(sent.at(-1), { width: 320, height: 180, disabled: true });

  stream.close();
  stream.setEnabled(true);
  await settle();
  assert.equal(sent.length, count + 2, "closed: nothing more is sent");
});

test("one request at a time; failures are swallowed and retried on the next change; adaptiveStream off ignores observe", async () => {
  const requests: { settings: TrackSettings; release: (error?: Error) => void }[] = [];
  const { stream } = setup({
    send: (settings) =>
      new Promise((resolve, reject) => {
        requests.push({ settings, release: (error) => (error ? reject(error) : resolve(undefined)) });
      }),
  });
  stream.setSubscribed(true);
  stream.setVideoDimensions(100, 100);
  await settle();
  stream.setVideoDimensions(200, 200);
  await settle();
  assert.equal(requests.length, 1, "the second waits for the first");
  requests[0]?.release();
  await settle();
  assert.equal(requests.length, 2);
  assert.deepEqual(requests[1]?.settings, { width: 200, height: 200, disabled: false });
  const warn = console.warn;
  const warnings: unknown[] = [];
  console.warn = (...args: unknown[]) => warnings.push(args);
  try {
    requests[1]?.release(new RelaisError("SIGNAL_CLOSED"));
    await settle();
    assert.equal(warnings.length, 0, "a dropped socket is not worth a warning (the resume re-sends)");
    stream.resend();
    await settle();
    assert.deepEqual(requests[2]?.settings, { width: 200, height: 200, disabled: false });
    requests[2]?.release(new RelaisError("TRACK_NOT_FOUND"));
    await settle();
    assert.equal(warnings.length, 1);
  } finally {
    console.warn = warn;
  }

  const off = setup({ observeElements: false });
  off.stream.setSubscribed(true);
  const video = new FakeVideo();
  video.clientWidth = 640;
  video.clientHeight = 360;
  off.stream.observe(asVideo(video))();
  await settle();
  assert.deepEqual(off.sent, []);
  assert.equal(off.stream.current(), undefined);
  off.stream.setVideoDimensions(640, 360);
  await settle();
  assert.deepEqual(off.sent, [{ width: 640, height: 360, disabled: false }]);
});
