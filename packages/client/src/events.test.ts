/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { TypedEmitter } from "./events.js";

interface TestEvents {
  joined: [name: string];
  count: [a: number, b: number];
  empty: [];
}

test("listeners receive typed arguments in registration order", () => {
  const emitter = new TypedEmitter<TestEvents>();
  const seen: string[] = [];
  emitter.on("joined", (name) => seen.push(`1:${name}`));
  emitter.on("joined", (name) => seen.push(`2:${name}`));
  emitter.on("count", (a, b) => seen.push(`sum:${a + b}`));
  emitter.safeEmit("joined", "alice");
  emitter.safeEmit("count", 2, 3);
  emitter.safeEmit("empty");
  assert.deepEqual(seen, ["1:alice", "2:alice", "sum:5"]);
});

test("a throwing listener does not stop the others and is reported", () => {
  const errors: unknown[] = [];
  const emitter = new TypedEmitter<TestEvents>({ onListenerError: (_event, error) => errors.push(error) });
  let reached = false;
  emitter.on("empty", () => {
    throw new Error("boom");
  });
  emitter.on("empty", () => {
    reached = true;
  });
  assert.doesNotThrow(() => emitter.safeEmit("empty"));
  assert.equal(reached, true);
  assert.equal(errors.length, 1);
});

test("a throwing error reporter is contained too", () => {
  const emitter = new TypedEmitter<TestEvents>({
    onListenerError: () => {
      throw new Error("reporter broke");
    },
  });
  emitter.on("empty", () => {
    throw new Error("boom");
  });
  assert.doesNotThrow(() => emitter.safeEmit("empty"));
});

test("off removes a listener, once fires a single time", () => {
  const emitter = new TypedEmitter<TestEvents>();
  let calls = 0;
  let onceCalls = 0;
  const listener = () => calls++;
  emitter.on("empty", listener);
  emitter.once("empty", () => onceCalls++);
  emitter.safeEmit("empty");
  emitter.safeEmit("empty");
  assert.equal(onceCalls, 1);
  assert.equal(calls, 2);
  emitter.off("empty", listener);
  emitter.safeEmit("empty");
  assert.equal(calls, 2);
  assert.equal(emitter.listenerCount("empty"), 0);
});

test("off before a once listener fired removes it", () => {
  const emitter = new TypedEmitter<TestEvents>();
  let calls = 0;
  const listener = () => calls++;
  emitter.once("empty", listener);
  emitter.off("empty", listener);
  emitter.safeEmit("empty");
  assert.equal(calls, 0);
});

test("a listener added during emit runs from the next emit on", () => {
  const emitter = new TypedEmitter<TestEvents>();
  let late = 0;
  emitter.on("empty", () => {
    emitter.on("empty", () => late++);
  });
  emitter.safeEmit("empty");
  assert.equal(late, 0);
});
