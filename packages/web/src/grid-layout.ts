/** Columns and rows for `count` tiles of `aspect` (width/height) in a `width`×`height` box, tiles as large as possible. */
export function computeGrid(count: number, width: number, height: number, aspect = 16 / 9, gap = 8): { columns: number; rows: number } {
  if (count <= 0 || width <= 0 || height <= 0) return { columns: 1, rows: 1 };
  let best = { columns: 1, rows: count, tileWidth: 0 };
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const cellWidth = (width - gap * (columns - 1)) / columns;
    const cellHeight = (height - gap * (rows - 1)) / rows;
    const tileWidth = Math.min(cellWidth, cellHeight * aspect);
    if (tileWidth > best.tileWidth + 0.5) best = { columns, rows, tileWidth };
  }
  return { columns: best.columns, rows: best.rows };
}

/** Two letters for an avatar: initials of the first two words, or the first two characters. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return "?";
  const letters = words.length === 1 ? [...words[0]].slice(0, 2) : [[...words[0]][0], [...words[1]][0]];
  return letters.join("").toUpperCase();
}
