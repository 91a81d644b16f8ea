/** Upper bound keeps the window well inside the 2^15 index-estimation ambiguity (RFC 3711 §3.3.1). */
export const MAX_REPLAY_WINDOW = 32768;

/**
 * Replay list of RFC 3711 §3.3.2: the highest authenticated index plus a bitmask
 * of which of the `size` indices below it were already received.
 *
 * The bitmask is a circular bitmap addressed by `index mod capacity` (the RFC 6479
 * layout), so advancing by one packet clears one slot instead of shifting the whole
 * mask. Indices are plain numbers: SRTP indices are 48 bits, exact in a double.
 */
export class ReplayWindow {
  private readonly bits: Uint32Array;
  private readonly capacity: number;
  private readonly size: number;
  private highest: number;

  static validateSize(size: number): void {
    if (!Number.isInteger(size) || size < 1 || size > MAX_REPLAY_WINDOW) {
      throw new RangeError(`replay window size must be an integer in [1, ${MAX_REPLAY_WINDOW}], got ${size}`);
    }
  }

  constructor(size: number, firstIndex: number) {
    ReplayWindow.validateSize(size);
    let capacity = 32;
    while (capacity < size) capacity *= 2;
    this.capacity = capacity;
    this.size = size;
    this.bits = new Uint32Array(capacity >>> 5);
    this.highest = firstIndex;
    this.set(firstIndex);
  }

  get highestIndex(): number {
    return this.highest;
  }

  /** False when `index` was already received or is too old to tell (RFC 3711 §3.3.2). */
  check(index: number): boolean {
    if (index > this.highest) return true;
    if (this.highest - index >= this.size) return false;
    const slot = index % this.capacity;
    return (this.bits[slot >>> 5] & (1 << (slot & 31))) === 0;
  }

  /** Records an index; call only after the packet authenticated (RFC 3711 §3.3.2). */
  accept(index: number): void {
    if (index > this.highest) {
      const advance = index - this.highest;
      if (advance >= this.capacity) this.bits.fill(0);
      else this.clear((this.highest + 1) % this.capacity, advance);
      this.highest = index;
    }
    this.set(index);
  }

  private set(index: number): void {
    const slot = index % this.capacity;
    this.bits[slot >>> 5] |= 1 << (slot & 31);
  }

  /** Clears `count` consecutive slots starting at `slot`, wrapping around the ring. */
  private clear(slot: number, count: number): void {
    const bits = this.bits;
    const capacity = this.capacity;
    let pos = slot;
    let left = count;
    while (left > 0) {
      const bit = pos & 31;
      if (bit === 0 && left >= 32) {
        bits[pos >>> 5] = 0;
        pos += 32;
        left -= 32;
      } else {
        bits[pos >>> 5] &= ~(1 << bit);
        pos++;
        left--;
      }
      if (pos === capacity) pos = 0;
    }
  }
}
