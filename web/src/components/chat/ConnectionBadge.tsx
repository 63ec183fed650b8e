import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { useApp } from "../../app/context";

/** ConnectionBadge says where the session's stream is: connecting, live, catching up, or offline and when it retries. */
export function ConnectionBadge() {
  const { stream } = useApp();
  const s = stream.value;
  const now = useSignal(Date.now());
  const retryAt = s?.retryAt.value ?? null;
  useEffect(() => {
    if (!retryAt) return;
    const t = setInterval(() => (now.value = Date.now()), 500);
    return () => clearInterval(t);
  }, [retryAt]);
  if (!s) return null;
  const ended = s.ended.value;
  const state = s.state.value;
  if (ended) {
    return (
      <span class="conn conn-ended" role="status">
        Stream closed ({ended.code.replace(/_/g, " ")})
      </span>
    );
  }
  const label =
    state === "live"
      ? "Live"
      : state === "connecting"
        ? "Connecting…"
        : state === "catching-up"
          ? "Catching up…"
          : `Offline${retryAt ? ` · retry in ${Math.max(0, Math.ceil((retryAt - now.value) / 1000))}s` : ""}${s.attempt.value > 1 ? ` (attempt ${s.attempt.value})` : ""}`;
  return (
    <span class={`conn conn-${state}`} role="status" aria-live="polite">
      <span class="conn-dot" aria-hidden="true" />
      {label}
      {state === "offline" && (
        <button type="button" class="btn btn-small" onClick={() => s.reconnectNow()}>
          Retry now
        </button>
      )}
    </span>
  );
}
