import { useApp } from "../../app/context";

/** Toasts shows short-lived errors and notes in one corner, announced to screen readers. */
export function Toasts() {
  const { ui } = useApp();
  return (
    <div class="toasts" role="status" aria-live="polite">
      {ui.toasts.value.map((t) => (
        <div key={t.id} class={`toast toast-${t.kind}`}>
          <span>{t.text}</span>
          <button type="button" class="icon-btn" aria-label="Dismiss" onClick={() => ui.dismissToast(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
