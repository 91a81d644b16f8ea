/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { computeGrid, initials } from "./grid-layout.js";

test("picks the column count that makes tiles largest", () => {
  assert.deepEqual(computeGrid(1, 1600, 900), { columns: 1, rows: 1 });
  assert.deepEqual(computeGrid(2, 1600, 900), { columns: 2, rows: 1 });
  assert.deepEqual(computeGrid(4, 1600, 900), { columns: 2, rows: 2 });
  assert.deepEqual(computeGrid(2, 400, 800), { columns: 1, rows: 2 }, "portrait phone stacks");
  assert.deepEqual(computeGrid(9, 1600, 900), { columns: 3, rows: 3 });
  assert.deepEqual(computeGrid(0, 1600, 900), { columns: 1, rows: 1 });
});

test("initials", () => {
  assert.equal(initials("Alice Martin"), "AM");
  assert.equal(initials("bob"), "BO");
  assert.equal(initials("  "), "?");
  assert.equal(initials("Élodie Żak"), "ÉŻ");
});
