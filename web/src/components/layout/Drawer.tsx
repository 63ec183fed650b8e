import { useEffect, useRef } from "preact/hooks";
import { useApp } from "../../app/context";
import { install, installOffer } from "../../pwa/register";
import { ProjectSidebar } from "../sidebar/ProjectSidebar";

const EDGE_PX = 24;
const SWIPE_PX = 50;

/**
 * Drawer is the projects and sessions list on phones: it slides in from the
 * left (hamburger, or a swipe from the screen's left edge) and closes on the
 * backdrop, Esc, a swipe back, or picking a session.
 */
export function Drawer() {
  const { ui, auth } = useApp();
  const close = useRef<HTMLButtonElement>(null);
  const open = ui.drawerOpen.value;

  useEffect(() => {
    if (!open) return;
    const before = document.activeElement as HTMLElement | null;
    close.current?.focus();
    return () => before?.focus?.();
  }, [open]);

  if (!open) return null;
  const shut = () => (ui.drawerOpen.value = false);
  return (
    <div class="drawer-backdrop" onClick={(e) => e.target === e.currentTarget && shut()}>
      <div
        class="sidebar drawer"
        role="dialog"
        aria-modal="true"
        aria-label="Projects and sessions"
        onKeyDown={(e) => e.key === "Escape" && shut()}
        {...swipe((dx) => dx < -SWIPE_PX && shut())}
      >
        <div class="drawer-head">
          <strong>pi-forge</strong>
          <button type="button" class="icon-btn" ref={close} aria-label="Close the list" onClick={shut}>
            ×
          </button>
        </div>
        <div class="drawer-body">
          <ProjectSidebar />
        </div>
        <div class="drawer-foot">
          <button
            type="button"
            class="btn"
            onClick={() => {
              shut();
              ui.overlay.value = { kind: "settings" };
            }}
          >
            Settings
          </button>
          {installOffer.value && (
            <button type="button" class="btn" onClick={() => void install()}>
              Install app
            </button>
          )}
          {auth.authEnabled.value && (
            <button type="button" class="btn btn-ghost" onClick={() => auth.signOut()}>
              Sign out
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

/** swipe reports the horizontal distance of a one-finger swipe when it ends. */
function swipe(onEnd: (dx: number, startX: number) => void) {
  let x0: number | null = null;
  let y0 = 0;
  return {
    onTouchStart(e: TouchEvent) {
      if (e.touches.length !== 1) return;
      x0 = e.touches[0].clientX;
      y0 = e.touches[0].clientY;
    },
    onTouchEnd(e: TouchEvent) {
      if (x0 === null) return;
      const t = e.changedTouches[0];
      const dx = t.clientX - x0;
      // Mostly sideways: a vertical scroll is not a swipe.
      if (Math.abs(dx) > Math.abs(t.clientY - y0) * 1.5) onEnd(dx, x0);
      x0 = null;
    },
  };
}

/** useEdgeSwipe opens the drawer on a swipe that starts at the screen's left edge. */
export function useEdgeSwipe(enabled: boolean): void {
  const { ui } = useApp();
  useEffect(() => {
    if (!enabled) return;
    const s = swipe((dx, x) => x <= EDGE_PX && dx > SWIPE_PX && (ui.drawerOpen.value = true));
    const start = (e: TouchEvent) => s.onTouchStart(e);
    const end = (e: TouchEvent) => s.onTouchEnd(e);
    window.addEventListener("touchstart", start, { passive: true });
    window.addEventListener("touchend", end, { passive: true });
    return () => {
      window.removeEventListener("touchstart", start);
      window.removeEventListener("touchend", end);
    };
  }, [enabled]);
}
