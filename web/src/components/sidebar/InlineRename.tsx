import { useEffect, useRef } from "preact/hooks";

/** InlineRename edits a name in place: Enter or blur saves, Esc cancels. */
export function InlineRename({ value, label, onDone }: { value: string; label: string; onDone: (v: string | null) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const done = useRef(false);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  function finish(v: string | null) {
    if (done.current) return;
    done.current = true;
    onDone(v === null ? null : v.trim());
  }
  return (
    <input
      ref={input}
      class="inline-rename"
      aria-label={label}
      defaultValue={value}
      maxLength={200}
      onKeyDown={(e) => {
        if (e.key === "Enter") finish(e.currentTarget.value);
        else if (e.key === "Escape") {
          e.stopPropagation();
          finish(null);
        }
      }}
      onBlur={(e) => finish(e.currentTarget.value)}
    />
  );
}
