// Windowing for the transcript: only rows near the viewport are in the DOM.
// Row heights are measured as rows render (estimated before), offsets are
// prefix sums, and the window is found by binary search.

export interface Window {
  start: number;
  end: number; // exclusive
  top: number; // space above the first rendered row
  bottom: number; // space below the last rendered row
}

export class HeightMap {
  private readonly heights = new Map<string, number>();
  constructor(readonly estimate: number) {}

  get(key: string): number {
    return this.heights.get(key) ?? this.estimate;
  }
  /** set records a measured height; it returns the change from what was assumed. */
  set(key: string, h: number): number {
    const before = this.get(key);
    this.heights.set(key, h);
    return h - before;
  }
  clear(): void {
    this.heights.clear();
  }
  offsets(keys: readonly string[]): Float64Array {
    const out = new Float64Array(keys.length + 1);
    for (let i = 0; i < keys.length; i++) out[i + 1] = out[i] + this.get(keys[i]);
    return out;
  }
}

/** firstAtOrAfter finds the first row whose bottom edge is below y. */
function rowAt(offsets: Float64Array, y: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  if (hi < 0) return 0;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid + 1] <= y) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * computeWindow picks the rows to render for a viewport at scrollTop (relative
 * to the list's top) of the given height, with overscan pixels either side.
 * When pinned to the bottom it counts back from the end instead.
 */
export function computeWindow(offsets: Float64Array, scrollTop: number, viewport: number, overscan: number, atBottom: boolean): Window {
  const n = offsets.length - 1;
  const total = offsets[n];
  if (n === 0) return { start: 0, end: 0, top: 0, bottom: 0 };
  let start: number;
  let end: number;
  if (atBottom) {
    end = n;
    start = rowAt(offsets, Math.max(0, total - viewport - overscan));
  } else {
    start = rowAt(offsets, Math.max(0, scrollTop - overscan));
    end = Math.min(n, rowAt(offsets, scrollTop + viewport + overscan) + 1);
  }
  return { start, end, top: offsets[start], bottom: total - offsets[end] };
}
