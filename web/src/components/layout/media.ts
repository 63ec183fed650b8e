import { signal, type ReadonlySignal } from "@preact/signals";

/** mediaSignal follows a media query (the md breakpoint, a coarse pointer). */
export function mediaSignal(query: string): ReadonlySignal<boolean> {
  if (typeof window === "undefined" || !window.matchMedia) return signal(false);
  const mq = window.matchMedia(query);
  const s = signal(mq.matches);
  mq.addEventListener?.("change", (e) => (s.value = e.matches));
  return s;
}

/** Below the md breakpoint the app is chat-first with a drawer. */
export const isMobile = mediaSignal("(max-width: 767px)");
/** Touch screens: Enter makes a newline and the Send button sends. */
export const isTouch = mediaSignal("(pointer: coarse)");
