import { useSignal } from "@preact/signals";
import { useEffect, useMemo } from "preact/hooks";
import { useApp } from "../app/context";
import { MCP_CHANGED, mcpApi, type McpOverview } from "./api";
import { badgeLabel, badgeTitle, badgeTone, badgeVisible } from "./store";
import "./mcp-badge.css";

/** How often the badge asks for the connection counts while the page is visible. */
export const MCP_POLL_MS = 30_000;

/**
 * McpBadge is the header's "MCP X/Y" with a dot: emerald when every enabled
 * server is connected, amber when some are, red when none, neutral when MCP
 * is off. Hidden when there are no servers and under MINIMAL_UI; a click
 * opens Settings → MCP.
 */
export function McpBadge() {
  const { api, auth, ui } = useApp();
  const minimal = !!auth.uiConfig.value?.minimal;
  const overview = useSignal<McpOverview | null>(null);
  const mcp = useMemo(() => mcpApi(api), [api]);
  useEffect(() => {
    if (minimal) return;
    let live = true;
    const poll = () => {
      if (document.visibilityState !== "visible") return;
      mcp.overview().then(
        (o) => live && (overview.value = o),
        () => undefined,
      );
    };
    poll();
    const t = setInterval(poll, MCP_POLL_MS);
    window.addEventListener(MCP_CHANGED, poll);
    document.addEventListener("visibilitychange", poll);
    return () => {
      live = false;
      clearInterval(t);
      window.removeEventListener(MCP_CHANGED, poll);
      document.removeEventListener("visibilitychange", poll);
    };
  }, [mcp, minimal]);
  const o = overview.value;
  if (!o || !badgeVisible(o, minimal)) return null;
  return (
    <button type="button" class={`btn btn-ghost mcp-badge tone-${badgeTone(o)}`} title={badgeTitle(o)} onClick={() => (ui.overlay.value = { kind: "settings", tab: "mcp" })}>
      <span class="mcp-dot" aria-hidden="true" />
      {badgeLabel(o)}
    </button>
  );
}
