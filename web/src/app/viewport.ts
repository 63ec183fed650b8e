// Keeps the app inside the visual viewport, so the on-screen keyboard never
// covers the composer. Chrome on Android resizes the layout for the keyboard
// (interactive-widget=resizes-content in index.html); Safari on iOS does not,
// it only shrinks and scrolls the visual viewport. There the app is pinned to
// the visual viewport's top and takes its height (CSS variables --vvh and
// --vv-top, read by #app in app.css).

export function followVisualViewport(win: Window = window): () => void {
  const vv = win.visualViewport;
  if (!vv) return () => undefined;
  const root = win.document.documentElement;
  let frame = 0;
  const apply = () => {
    frame = 0;
    root.style.setProperty("--vvh", `${Math.round(vv.height)}px`);
    root.style.setProperty("--vv-top", `${Math.round(vv.offsetTop)}px`);
  };
  const schedule = () => {
    if (!frame) frame = win.requestAnimationFrame(apply);
  };
  apply();
  vv.addEventListener("resize", schedule);
  vv.addEventListener("scroll", schedule);
  return () => {
    vv.removeEventListener("resize", schedule);
    vv.removeEventListener("scroll", schedule);
    if (frame) win.cancelAnimationFrame(frame);
  };
}
