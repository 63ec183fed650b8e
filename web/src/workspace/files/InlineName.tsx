import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { invalidName } from "./rows";

/** InlineName asks for a file or folder name inside the tree: Enter confirms, Esc cancels. */
export function InlineName({ depth, kind, initial = "", onDone }: { depth: number; kind: "file" | "folder"; initial?: string; onDone: (name: string | null) => void }) {
  const value = useSignal(initial);
  const problem = useSignal<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const done = useRef(false);
  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.focus();
    // Select the name without its extension, as file managers do.
    const dot = initial.lastIndexOf(".");
    el.setSelectionRange(0, kind === "file" && dot > 0 ? dot : initial.length);
  }, []);

  function finish(name: string | null) {
    if (done.current) return;
    if (name !== null) {
      const why = invalidName(name);
      if (why) {
        problem.value = why;
        return;
      }
    }
    done.current = true;
    onDone(name === null ? null : name.trim());
  }

  return (
    <div class="tree-row tree-edit" style={{ paddingLeft: `${8 + depth * 14 + 14}px` }}>
      <input
        ref={input}
        aria-label={initial ? `New name for ${initial}` : kind === "file" ? "New file name" : "New folder name"}
        aria-invalid={!!problem.value}
        value={value.value}
        onInput={(e) => ((value.value = e.currentTarget.value), (problem.value = null))}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === "Enter") finish(value.value);
          else if (e.key === "Escape") finish(null);
        }}
        onBlur={() => finish(value.value.trim() && value.value !== initial ? value.value : null)}
      />
      {problem.value && (
        <span class="form-error" role="alert">
          {problem.value}
        </span>
      )}
    </div>
  );
}
