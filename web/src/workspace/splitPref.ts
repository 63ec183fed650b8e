// The unified / split choice of the diff views, remembered for all of them.

import { signal } from "@preact/signals";

const SPLIT_KEY = "pi-forge/diff-split";

function read(): boolean {
  try {
    return localStorage.getItem(SPLIT_KEY) === "1";
  } catch {
    return false;
  }
}

/** splitDiffs is true when diffs show side by side. */
export const splitDiffs = signal(typeof localStorage === "undefined" ? false : read());

export function setSplitDiffs(v: boolean): void {
  splitDiffs.value = v;
  try {
    localStorage.setItem(SPLIT_KEY, v ? "1" : "0");
  } catch {
    // not remembered
  }
}
