/** What the commands print: aligned tables for people, JSON (`--json`) for scripts. */

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Columns padded to their widest cell; the last column is not padded. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

/** Prints a table, or `empty` when there are no rows. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[], empty: string): void {
  console.log(rows.length === 0 ? empty : formatTable(headers, rows));
}

/** Unix ms as `2026-05-04 09:30:12Z` (UTC), or "-". */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "-";
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}Z`;
}

/** One line, at most `max` characters. */
export function clip(text: string, max = 40): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
