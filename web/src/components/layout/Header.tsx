import { useApp } from "../../app/context";
import { McpBadge } from "../../mcp/McpBadge";
import { THEMES, type ThemeId } from "../../theme/themes";
import { isMobile } from "./media";
import { Logo } from "./Logo";

/** Header carries the brand, the pane toggles, the theme and sign-out. */
export function Header() {
  const { ui, auth } = useApp();
  const layout = ui.layout.value;
  const cfg = auth.uiConfig.value;
  const dark = ui.theme.value !== "light";
  const logoUrl = dark ? cfg?.appLogoDarkUrl : cfg?.appLogoLightUrl;
  const mobile = isMobile.value;

  return (
    <header class="app-header">
      {mobile && (
        <button
          type="button"
          class="icon-btn hamburger"
          aria-label="Projects and sessions"
          aria-expanded={ui.drawerOpen.value}
          onClick={() => (ui.drawerOpen.value = !ui.drawerOpen.value)}
        >
          ☰
        </button>
      )}
      <div class="brand">
        {logoUrl ? <img src={logoUrl} alt="" class="app-logo" /> : <Logo />}
        <span>pi-forge</span>
      </div>
      <div class="header-spacer" />
      {!mobile && (
        <div class="pane-toggles" role="group" aria-label="Panes">
          <button
            type="button"
            class="toggle"
            aria-pressed={layout.sidebarOpen}
            title="Projects (Ctrl+B)"
            onClick={() => ui.setLayout({ sidebarOpen: !layout.sidebarOpen })}
          >
            Projects
          </button>
          <button
            type="button"
            class="toggle"
            aria-pressed={layout.rightOpen}
            title="Side panel (Ctrl+J)"
            onClick={() => ui.setLayout({ rightOpen: !layout.rightOpen })}
          >
            Panel
          </button>
          <button
            type="button"
            class="toggle"
            aria-pressed={layout.bottomOpen}
            title="Terminal (Ctrl+`)"
            onClick={() => ui.setLayout({ bottomOpen: !layout.bottomOpen })}
          >
            Terminal
          </button>
        </div>
      )}
      <label class="theme-picker">
        <span class="sr-only">Theme</span>
        <select value={ui.theme.value} onChange={(e) => ui.setTheme(e.currentTarget.value as ThemeId)}>
          {THEMES.map((t) => (
            <option key={t.id} value={t.id}>
              {t.label}
            </option>
          ))}
        </select>
      </label>
      <McpBadge />
      <button type="button" class="btn btn-ghost" onClick={() => (ui.overlay.value = { kind: "settings" })}>
        Settings
      </button>
      {auth.authEnabled.value && (
        <button type="button" class="btn btn-ghost" onClick={() => auth.signOut()}>
          Sign out
        </button>
      )}
    </header>
  );
}
