import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDuration } from "./duration.js";

describe("parseDuration", () => {
  it("seconds by default, and s/m/h/d units", () => {
    const cases: [string, number][] = [
      ["90", 90],
      ["90s", 90],
      ["15m", 900],
      ["2h", 7200],
      ["1d", 86400],
      ["30d", 2_592_000],
      ["0", 0],
      [" 5 m ", 300],
      ["007s", 7],
    ];
    for (const [text, seconds] of cases) assert.equal(parseDuration(text), seconds, text);
  });

  it("null for anything else", () => {
    for (const text of ["", " ", "m", "1.5h", "-5", "+5", "5x", "5M", "5 min", "1h30m", "1e3", "0x10", "Infinity"]) {
      assert.equal(parseDuration(text), null, JSON.stringify(text));
    }
  });
});
