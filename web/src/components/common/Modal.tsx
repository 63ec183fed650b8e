import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

interface Props {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
  /** A big panel (settings, the session tree) rather than a dialog. */
  large?: boolean;
}

/** Modal is a dialog with a focus trap; Esc closes it and focus returns to where it was. */
export function Modal({ title, onClose, children, wide, large }: Props) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = box.current?.querySelector<HTMLElement>("[autofocus], input, button, select, textarea, [tabindex]");
    first?.focus();
    return () => before?.focus?.();
  }, []);

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === "Escape") {
      e.stopPropagation();
      onClose();
      return;
    }
    if (e.key !== "Tab" || !box.current) return;
    e.stopPropagation(); // a dialog inside a dialog traps focus on its own
    const items = [...box.current.querySelectorAll<HTMLElement>("a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([tabindex='-1'])")];
    if (items.length === 0) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }

  return (
    <div class="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div class={`modal${wide ? " modal-wide" : ""}${large ? " modal-large" : ""}`} role="dialog" aria-modal="true" aria-label={title} ref={box} onKeyDown={onKeyDown}>
        <header class="modal-head">
          <h2>{title}</h2>
          <button type="button" class="icon-btn" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </header>
        <div class="modal-body">{children}</div>
      </div>
    </div>
  );
}

interface ConfirmProps {
  title: string;
  message: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}

/** ConfirmDialog asks before something that cannot be undone. */
export function ConfirmDialog(p: ConfirmProps) {
  return (
    <Modal title={p.title} onClose={p.onCancel}>
      <div class="confirm-message">{p.message}</div>
      {p.error && (
        <p class="form-error" role="alert">
          {p.error}
        </p>
      )}
      <div class="dialog-actions">
        <button type="button" class="btn" onClick={p.onCancel} autofocus>
          Cancel
        </button>
        <button type="button" class={`btn ${p.danger ? "btn-danger" : "btn-primary"}`} disabled={p.busy} onClick={p.onConfirm}>
          {p.confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
