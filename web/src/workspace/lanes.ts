// Lane layout of the git log graph. Commits come in topological order (git
// log --topo-order); each lane waits for one commit hash. A commit takes the
// lane that waits for it (or a free one), the lanes of its other children
// end in it, its first parent continues its lane and further parents open
// or join lanes. Lanes keep their index while they live, so lines that pass
// a row stay straight.

export interface LaneCommit {
  hash: string;
  parents: string[];
}

export interface LaneRow {
  /** The lane of the commit's dot. */
  col: number;
  /** Lanes drawn in this row (the widest of before and after). */
  width: number;
  /** Lanes that pass the row without touching the commit. */
  through: number[];
  /** Lanes (above) that end in the commit: its children's. */
  into: number[];
  /** Lanes (below) that start from the commit: its parents'. */
  out: number[];
}

export function layoutLanes(commits: LaneCommit[]): LaneRow[] {
  const lanes: Array<string | null> = [];
  const rows: LaneRow[] = [];
  const free = () => {
    const i = lanes.indexOf(null);
    if (i >= 0) return i;
    lanes.push(null);
    return lanes.length - 1;
  };
  for (const c of commits) {
    const into: number[] = [];
    lanes.forEach((h, i) => h === c.hash && into.push(i));
    const col = into.length > 0 ? into[0] : free();
    const through: number[] = [];
    lanes.forEach((h, i) => h !== null && h !== c.hash && through.push(i));
    for (const i of into) lanes[i] = null;
    const out: number[] = [];
    c.parents.forEach((p, k) => {
      const existing = lanes.indexOf(p);
      if (existing >= 0) {
        // Another child already waits for this parent: join its lane.
        out.push(existing);
        return;
      }
      const at = k === 0 ? col : free();
      lanes[at] = p;
      out.push(at);
    });
    const widthBefore = Math.max(col + 1, ...into.map((i) => i + 1), ...through.map((i) => i + 1));
    while (lanes.length > 0 && lanes[lanes.length - 1] === null) lanes.pop();
    rows.push({ col, width: Math.max(widthBefore, lanes.length, ...out.map((i) => i + 1)), through, into, out });
  }
  return rows;
}
