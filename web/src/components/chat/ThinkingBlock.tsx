import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { Markdown } from "./Markdown";

/**
 * ThinkingBlock shows the model's reasoning. It is open while it streams and
 * closes by itself when the answer starts, unless the user toggled it.
 */
export function ThinkingBlock({ text, streaming, redacted }: { text: string; streaming?: boolean; redacted?: boolean }) {
  const touched = useSignal(false);
  const open = useSignal(!!streaming);
  useEffect(() => {
    if (!touched.value) open.value = !!streaming;
  }, [streaming]);
  const words = text.trim() ? text.trim().split(/\s+/).length : 0;
  return (
    <details
      class={`thinking${streaming ? " streaming" : ""}`}
      open={open.value}
      onToggle={(e) => {
        const now = (e.currentTarget as HTMLDetailsElement).open;
        if (now !== open.value) {
          touched.value = true;
          open.value = now;
        }
      }}
    >
      <summary>
        {streaming ? "Thinking…" : "Thought"}
        {words > 0 && <span class="muted"> · {words} words</span>}
      </summary>
      {redacted ? <p class="muted">The provider redacted this reasoning.</p> : streaming ? <pre class="thinking-live">{text}</pre> : <Markdown text={text} />}
    </details>
  );
}
