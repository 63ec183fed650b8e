// Theme names, their browser-bar colours and the server custom theme, applied
// as CSS variables on <html>. src/boot/theme-boot.js does the same before first
// paint; this module keeps it current afterwards.

export const THEMES = [
  { id: "dark", label: "Dark", barColor: "#0a0a0a" },
  { id: "light", label: "Light", barColor: "#ffffff" },
  { id: "dracula", label: "Dracula", barColor: "#282a36" },
  { id: "solarized-dark", label: "Solarized Dark", barColor: "#002b36" },
  { id: "catppuccin-mocha", label: "Catppuccin Mocha", barColor: "#1e1e2e" },
  { id: "high-contrast", label: "High Contrast", barColor: "#000000" },
] as const;

export type ThemeId = (typeof THEMES)[number]["id"];

export const THEME_KEY = "pi-forge/theme";
export const SERVER_THEME_KEY = "pi-forge/server-theme";

/** The server theme's colour keys and the CSS variables they set. */
export const SERVER_THEME_VARS = {
  appBackground: "--bg",
  panelBackground: "--panel",
  userBubbleBackground: "--user-bubble",
  assistantBubbleBackground: "--assistant-bubble",
  primaryText: "--text",
  secondaryText: "--text-2",
  mutedText: "--muted",
  highlightBackground: "--highlight-bg",
  highlightText: "--highlight-text",
  selectionBackground: "--selection",
} as const;

export type ServerThemeKey = keyof typeof SERVER_THEME_VARS;

export interface ServerTheme {
  enabled: boolean;
  colors: Partial<Record<ServerThemeKey, string>>;
  defaults?: Partial<Record<ServerThemeKey, string>>;
}

const HEX = /^#[0-9a-fA-F]{6}$/;

export function isThemeId(v: unknown): v is ThemeId {
  return typeof v === "string" && THEMES.some((t) => t.id === v);
}

export function savedTheme(storage: Storage = localStorage): ThemeId {
  try {
    const v = storage.getItem(THEME_KEY);
    return isThemeId(v) ? v : "dark";
  } catch {
    return "dark";
  }
}

/** applyTheme sets the theme on <html>, remembers it and updates the browser bar colour. */
export function applyTheme(id: ThemeId, root: HTMLElement = document.documentElement): void {
  root.setAttribute("data-theme", id);
  try {
    localStorage.setItem(THEME_KEY, id);
  } catch {
    // storage blocked: the theme still applies for this page
  }
  updateBarColor(root);
}

/**
 * applyServerTheme applies (or clears) the operator's custom colours and caches
 * them so the boot script can apply them before the next first paint.
 */
export function applyServerTheme(theme: ServerTheme | undefined, root: HTMLElement = document.documentElement): void {
  const on = !!theme?.enabled;
  for (const [key, cssVar] of Object.entries(SERVER_THEME_VARS)) {
    const v = theme?.colors?.[key as ServerThemeKey];
    if (on && typeof v === "string" && HEX.test(v)) root.style.setProperty(cssVar, v);
    else root.style.removeProperty(cssVar);
  }
  if (on) root.setAttribute("data-server-theme", "on");
  else root.removeAttribute("data-server-theme");
  try {
    if (on) localStorage.setItem(SERVER_THEME_KEY, JSON.stringify({ enabled: true, colors: theme!.colors }));
    else localStorage.removeItem(SERVER_THEME_KEY);
  } catch {
    // storage blocked
  }
  updateBarColor(root);
}

function updateBarColor(root: HTMLElement): void {
  const meta = root.ownerDocument.querySelector('meta[name="theme-color"]');
  if (!meta) return;
  const server = root.getAttribute("data-server-theme") === "on" ? root.style.getPropertyValue("--bg").trim() : "";
  const theme = THEMES.find((t) => t.id === root.getAttribute("data-theme")) ?? THEMES[0];
  meta.setAttribute("content", server || theme.barColor);
}
