import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { useApp } from "../../app/context";
import { applyServerTheme, SERVER_THEME_VARS, THEMES, type ServerTheme, type ServerThemeKey } from "../../theme/themes";
import { ErrorLine, useLoad } from "./common";

const LABELS: Record<ServerThemeKey, string> = {
  appBackground: "App background",
  panelBackground: "Panel background",
  userBubbleBackground: "Your messages",
  assistantBubbleBackground: "Assistant messages",
  primaryText: "Text",
  secondaryText: "Secondary text",
  mutedText: "Muted text",
  highlightBackground: "Highlight background",
  highlightText: "Highlight text",
  selectionBackground: "Selection",
};
const HEX = /^#[0-9a-fA-F]{6}$/;

/**
 * AppearanceTab picks this browser's theme, and edits the server-wide custom
 * colours that every user sees (they override the theme's ten main colours).
 */
export function AppearanceTab() {
  const { ui } = useApp();
  return (
    <div class="settings-section">
      <h3>Theme (this browser)</h3>
      <div class="theme-swatches" role="radiogroup" aria-label="Theme">
        {THEMES.map((t) => (
          <label key={t.id} class={`swatch${ui.theme.value === t.id ? " on" : ""}`} data-theme={t.id}>
            <input type="radio" name="theme" class="sr-only" checked={ui.theme.value === t.id} onChange={() => ui.setTheme(t.id)} />
            <span class="swatch-preview" aria-hidden="true">
              <span class="swatch-bubble user" />
              <span class="swatch-bubble assistant" />
              <span class="swatch-accent" />
            </span>
            <span class="swatch-name">{t.label}</span>
          </label>
        ))}
      </div>
      <ServerColours />
    </div>
  );
}

function ServerColours() {
  const { api, auth } = useApp();
  const theme = useLoad(() => api.serverTheme());
  const enabled = useSignal(false);
  const colors = useSignal<Record<string, string>>({});
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);

  useEffect(() => {
    const t = theme.data.value;
    if (!t) return;
    enabled.value = t.enabled;
    colors.value = { ...(t.defaults ?? {}), ...t.colors } as Record<string, string>;
  }, [theme.data.value]);

  function applied(t: ServerTheme) {
    theme.data.value = t;
    applyServerTheme(t);
    const cfg = auth.uiConfig.value;
    if (cfg) auth.uiConfig.value = { ...cfg, serverTheme: t as typeof cfg.serverTheme };
  }
  async function run(fn: () => Promise<ServerTheme>) {
    busy.value = true;
    error.value = null;
    try {
      applied(await fn());
    } catch (e) {
      error.value = (e as Error).message;
    } finally {
      busy.value = false;
    }
  }
  const bad = Object.entries(colors.value).filter(([, v]) => !HEX.test(v)).map(([k]) => k);

  return (
    <section class="server-theme" aria-label="Server colours">
      <h3>Server colours (every user)</h3>
      <ErrorLine error={theme.error.value ?? error.value} />
      <label class="check">
        <input type="checkbox" checked={enabled.value} onChange={(e) => (enabled.value = e.currentTarget.checked)} />
        Use custom colours
      </label>
      <div class="colour-grid">
        {(Object.keys(SERVER_THEME_VARS) as ServerThemeKey[]).map((k) => (
          <label key={k} class="colour-field">
            <span>{LABELS[k]}</span>
            <input type="color" value={HEX.test(colors.value[k] ?? "") ? colors.value[k] : "#000000"} onInput={(e) => (colors.value = { ...colors.value, [k]: e.currentTarget.value })} />
            <input
              class={`hex${bad.includes(k) ? " invalid" : ""}`}
              value={colors.value[k] ?? ""}
              aria-label={`${LABELS[k]} (hex)`}
              maxLength={7}
              onInput={(e) => (colors.value = { ...colors.value, [k]: e.currentTarget.value.trim() })}
            />
          </label>
        ))}
      </div>
      <div class="dialog-actions">
        <button type="button" class="btn" disabled={busy.value} onClick={() => (colors.value = { ...(theme.data.value?.defaults ?? {}) } as Record<string, string>)}>
          Start from the defaults
        </button>
        <button type="button" class="btn btn-danger" disabled={busy.value} onClick={() => void run(() => api.resetServerTheme())}>
          Reset
        </button>
        <button type="button" class="btn btn-primary" disabled={busy.value || bad.length > 0} onClick={() => void run(() => api.saveServerTheme({ enabled: enabled.value, colors: colors.value }))}>
          Save for everyone
        </button>
      </div>
    </section>
  );
}
