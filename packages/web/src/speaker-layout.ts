/** Above this many tiles the grid gets small: the dominant speaker gets the large (2×2) tile. */
export const SPOTLIGHT_MIN_TILES = 7;

/**
 * Which participant's tile to pin and how many grid cells the layout needs: in a room of
 * more than six tiles the dominant speaker (first of the active speakers) takes a 2×2 cell.
 */
export function spotlight(tileCount: number, dominantSid: string | undefined): { pinnedSid: string | null; cells: number } {
  if (tileCount < SPOTLIGHT_MIN_TILES || dominantSid === undefined) return { pinnedSid: null, cells: tileCount };
  return { pinnedSid: dominantSid, cells: tileCount + 3 };
}
