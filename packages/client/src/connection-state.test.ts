/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConnectionStateMachine, nextConnectionState } from "./connection-state.js";

test("the happy path: connect, join, lose the socket, resume, disconnect", () => {
  assert.equal(nextConnectionState("disconnected", "connect"), "connecting");
  assert.equal(nextConnectionState("connecting", "joined"), "connected");
  assert.equal(nextConnectionState("connected", "socketLost"), "reconnecting");
  assert.equal(nextConnectionState("reconnecting", "resumed"), "connected");
  assert.equal(nextConnectionState("connected", "disconnect"), "disconnected");
});

test("failures end in disconnected from every active state", () => {
  for (const state of ["connecting", "connected", "reconnecting"] as const) {
    assert.equal(nextConnectionState(state, "fail"), "disconnected");
    assert.equal(nextConnectionState(state, "disconnect"), "disconnected");
  }
});

test("events that make no sense in a state are refused", () => {
  assert.equal(nextConnectionState("disconnected", "joined"), null);
  assert.equal(nextConnectionState("disconnected", "resumed"), null);
  assert.equal(nextConnectionState("connecting", "socketLost"), null);
  assert.equal(nextConnectionState("connected", "joined"), null);
  assert.equal(nextConnectionState("connected", "resumed"), null);
});

test("the machine reports only real changes", () => {
  const machine = new ConnectionStateMachine();
  assert.equal(machine.state, "disconnected");
  assert.equal(machine.apply("joined"), null);
  assert.equal(machine.apply("connect"), "connecting");
  assert.equal(machine.apply("joined"), "connected");
  assert.equal(machine.apply("socketLost"), "reconnecting");
  assert.equal(machine.apply("socketLost"), null, "still reconnecting: no change to report");
  assert.equal(machine.apply("disconnect"), "disconnected");
  assert.equal(machine.apply("disconnect"), null);
});
