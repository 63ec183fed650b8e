// xterm colours from the app theme's CSS variables, read when a terminal
// starts and again whenever the theme changes.

import type { ITheme } from "@xterm/xterm";

export function themeFromCss(root: HTMLElement = document.documentElement): ITheme {
  const css = getComputedStyle(root);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const light = root.getAttribute("data-theme") === "light";
  return {
    background: v("--bg", "#0a0a0a"),
    foreground: v("--text", "#f5f5f5"),
    cursor: v("--accent", "#60a5fa"),
    cursorAccent: v("--bg", "#0a0a0a"),
    selectionBackground: v("--selection", "#525252"),
    black: light ? "#262626" : v("--panel-2", "#1f1f1f"),
    red: v("--danger", "#f87171"),
    green: v("--success", "#4ade80"),
    yellow: v("--warning", "#fbbf24"),
    blue: v("--accent", "#60a5fa"),
    magenta: v("--syn-keyword", "#c678dd"),
    cyan: v("--syn-builtin", "#56b6c2"),
    white: v("--text-2", "#d4d4d4"),
    brightBlack: v("--muted", "#a3a3a3"),
    brightRed: v("--danger", "#f87171"),
    brightGreen: v("--success", "#4ade80"),
    brightYellow: v("--warning", "#fbbf24"),
    brightBlue: v("--info", "#38bdf8"),
    brightMagenta: v("--syn-keyword", "#c678dd"),
    brightCyan: v("--syn-builtin", "#56b6c2"),
    brightWhite: v("--text", "#f5f5f5"),
  };
}

/** onThemeChange calls f when <html>'s theme attributes or inline variables change; it returns the unsubscribe. */
export function onThemeChange(f: () => void, root: HTMLElement = document.documentElement): () => void {
  const mo = new MutationObserver(f);
  mo.observe(root, { attributes: true, attributeFilter: ["data-theme", "data-server-theme", "style", "class"] });
  return () => mo.disconnect();
}
