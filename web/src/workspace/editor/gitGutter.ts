// The git change gutter: marks for added, modified and deleted lines of the
// open file (work tree against the index), moved along with edits until the
// next refresh after a load or save.

import { RangeSet, StateEffect, StateField, type Extension } from "@codemirror/state";
import { gutter, GutterMarker, type EditorView } from "@codemirror/view";
import type { GutterMark } from "../diff";

class GitMarker extends GutterMarker {
  constructor(readonly kind: GutterMark) {
    super();
  }
  override eq(other: GutterMarker): boolean {
    return other instanceof GitMarker && other.kind === this.kind;
  }
  override toDOM(): Node {
    const el = document.createElement("span");
    el.className = `cm-git-${this.kind}`;
    el.title = this.kind === "added" ? "Added" : this.kind === "modified" ? "Changed" : "Lines deleted below";
    return el;
  }
}

const MARKERS: Record<GutterMark, GitMarker> = {
  added: new GitMarker("added"),
  modified: new GitMarker("modified"),
  deleted: new GitMarker("deleted"),
};

export const setGitMarks = StateEffect.define<Map<number, GutterMark>>();

const marksField = StateField.define<RangeSet<GutterMarker>>({
  create: () => RangeSet.empty,
  update(set, tr) {
    set = set.map(tr.changes);
    for (const e of tr.effects) {
      if (!e.is(setGitMarks)) continue;
      const doc = tr.state.doc;
      const ranges = [...e.value.entries()]
        .filter(([line]) => line >= 1 && line <= doc.lines)
        .sort((a, b) => a[0] - b[0])
        .map(([line, kind]) => MARKERS[kind].range(doc.line(line).from));
      set = RangeSet.of(ranges, true);
    }
    return set;
  },
});

export function gitGutter(): Extension {
  return [marksField, gutter({ class: "cm-git-gutter", markers: (v) => v.state.field(marksField) })];
}

export function showGitMarks(view: EditorView, marks: Map<number, GutterMark>): void {
  view.dispatch({ effects: setGitMarks.of(marks) });
}
