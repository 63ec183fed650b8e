import { useRef } from "preact/hooks";

interface Props {
  /** "vertical" sits between columns and resizes widths; "horizontal" resizes a height. */
  orientation: "vertical" | "horizontal";
  label: string;
  value: number;
  min: number;
  max: number;
  /** The pane grows when the pointer moves left/up (a pane on the right or at the bottom). */
  invert?: boolean;
  onChange: (v: number) => void;
  onReset: () => void;
}

/**
 * Divider resizes a pane by drag (Esc cancels the drag), by keyboard (arrows,
 * Shift for bigger steps, Home/End) and resets on double-click.
 */
export function Divider(p: Props) {
  const drag = useRef<{ start: number; value: number; id: number } | null>(null);
  const vertical = p.orientation === "vertical";

  function pos(e: PointerEvent) {
    return vertical ? e.clientX : e.clientY;
  }
  function onPointerDown(e: PointerEvent) {
    if (e.button !== 0) return;
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    drag.current = { start: pos(e), value: p.value, id: e.pointerId };
    document.body.classList.add(vertical ? "resizing-x" : "resizing-y");
    e.preventDefault();
  }
  function onPointerMove(e: PointerEvent) {
    const d = drag.current;
    if (!d || d.id !== e.pointerId) return;
    const delta = (pos(e) - d.start) * (p.invert ? -1 : 1);
    p.onChange(d.value + delta);
  }
  function end(e: PointerEvent) {
    if (!drag.current) return;
    (e.currentTarget as HTMLElement).releasePointerCapture?.(e.pointerId);
    drag.current = null;
    document.body.classList.remove("resizing-x", "resizing-y");
  }
  function onKeyDown(e: KeyboardEvent) {
    if (e.key === "Escape" && drag.current) {
      p.onChange(drag.current.value);
      drag.current = null;
      document.body.classList.remove("resizing-x", "resizing-y");
      return;
    }
    const step = e.shiftKey ? 64 : 16;
    const grow = vertical ? (p.invert ? "ArrowLeft" : "ArrowRight") : p.invert ? "ArrowUp" : "ArrowDown";
    const shrink = vertical ? (p.invert ? "ArrowRight" : "ArrowLeft") : p.invert ? "ArrowDown" : "ArrowUp";
    let next: number | null = null;
    if (e.key === grow) next = p.value + step;
    else if (e.key === shrink) next = p.value - step;
    else if (e.key === "Home") next = p.min;
    else if (e.key === "End") next = p.max;
    if (next !== null) {
      e.preventDefault();
      p.onChange(next);
    }
  }

  return (
    <div
      class={`divider divider-${p.orientation}`}
      role="separator"
      tabIndex={0}
      aria-label={p.label}
      aria-orientation={vertical ? "vertical" : "horizontal"}
      aria-valuenow={Math.round(p.value)}
      aria-valuemin={p.min}
      aria-valuemax={p.max}
      title={`${p.label} (drag, arrow keys; double-click resets)`}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={end}
      onPointerCancel={end}
      onKeyDown={onKeyDown}
      onDblClick={p.onReset}
    />
  );
}
