// biome-ignore-all lint/suspicious/noExplicitAny: code passed to page.evaluate runs in the browser; the server project has no DOM types
import assert from "node:assert/strict";
import { test } from "node:test";
import { inboundStats, localIdentity, nodeAndBrowser } from "./support/browser.js";
import { waitFor } from "./support/test-node.js";

// Only ICE-TCP candidates are announced: the browsers have no UDP path to the SFU.
const env = nodeAndBrowser({ media: { enableUdp: false, enableTcp: true } });

test("two browsers call each other over ICE-TCP only", async () => {
  const link = await env.node.joinLink("tcp-call");
  const pages = [];
  for (const name of ["Ana", "Ben"]) {
    const page = await env.browser.newPage();
    await page.goto(`${link}&autoJoin=1&name=${name}`);
    await page.waitForFunction(() => (globalThis as any).relais?.room?.state === "connected", null, { timeout: 20_000 });
    pages.push(page);
  }
  const ids = await Promise.all(pages.map(localIdentity));
  for (const [i, page] of pages.entries()) {
    const other = ids[1 - i]!;
    await waitFor(
      `frames over TCP from ${other}`,
      async () => {
        const s = await inboundStats(page);
        return (s.find((x) => x.identity === other && x.kind === "video")?.framesDecoded ?? 0) > 30;
      },
      30_000,
      250,
    );
    const pair = await page.evaluate(async () => {
      const stats: any = await (globalThis as any).relais.room.pc.getStats();
      let selected: { localCandidateId?: string } | undefined;
      stats.forEach((s: any) => {
        if (s.type === "transport") selected = stats.get(s.selectedCandidatePairId);
      });
      const local = selected?.localCandidateId ? stats.get(selected.localCandidateId) : undefined;
      return local?.protocol as string | undefined;
    });
    assert.equal(pair, "tcp");
  }
  for (const p of pages) await p.close();
});
