import { useEffect } from "preact/hooks";
import { useApp } from "../../app/context";
import { LIMITS, DEFAULT_LAYOUT } from "../../stores/ui";
import { ChatView } from "../chat/ChatView";
import { BottomPane } from "../panes/BottomPane";
import { RightPane } from "../panes/RightPane";
import { ProjectSidebar } from "../sidebar/ProjectSidebar";
import { EditorSlot } from "../../workspace/EditorSlot";
import { Lazy } from "../common/Lazy";
import { Divider } from "./Divider";
import { Drawer, useEdgeSwipe } from "./Drawer";
import { Header } from "./Header";
import { isMobile } from "./media";
import { Toasts } from "./Toasts";

// Overlays are lazy chunks: nothing of them loads until they are first opened.
const loadTree = () => import("../tree/SessionTree").then((m) => m.SessionTree);
const loadSettings = () => import("../settings/Settings").then((m) => m.Settings);

/** Workbench is the signed-in screen: sidebar, chat, side and bottom panes. */
export function Workbench() {
  const { ui } = useApp();
  const layout = ui.layout.value;
  const mobile = isMobile.value;

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const l = ui.layout.value;
      if (e.key === "b") ui.setLayout({ sidebarOpen: !l.sidebarOpen });
      else if (e.key === "j") ui.setLayout({ rightOpen: !l.rightOpen });
      else if (e.key === "`") ui.setLayout({ bottomOpen: !l.bottomOpen });
      else return;
      e.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  useEdgeSwipe(mobile);
  // The drawer closes by itself when the window grows past the breakpoint.
  useEffect(() => {
    if (!mobile) ui.drawerOpen.value = false;
  }, [mobile]);

  return (
    <div class="workbench">
      <Header />
      <div class="wb-body">
        {mobile ? (
          <Drawer />
        ) : (
          layout.sidebarOpen && (
            <>
              <aside class="sidebar" style={{ width: `${layout.sidebarWidth}px` }} aria-label="Projects and sessions">
                <ProjectSidebar />
              </aside>
              <Divider
                orientation="vertical"
                label="Resize the project list"
                value={layout.sidebarWidth}
                min={LIMITS.sidebarWidth[0]}
                max={LIMITS.sidebarWidth[1]}
                onChange={(v) => ui.setLayout({ sidebarWidth: v })}
                onReset={() => ui.setLayout({ sidebarWidth: DEFAULT_LAYOUT.sidebarWidth })}
              />
            </>
          )
        )}
        <div class="wb-main">
          <div class="wb-center">
            <section class="chat-col" aria-label="Chat">
              <ChatView />
            </section>
            <EditorSlot />
            {!mobile && layout.rightOpen && (
              <>
                <Divider
                  orientation="vertical"
                  label="Resize the side panel"
                  invert
                  value={layout.rightWidth}
                  min={LIMITS.rightWidth[0]}
                  max={LIMITS.rightWidth[1]}
                  onChange={(v) => ui.setLayout({ rightWidth: v })}
                  onReset={() => ui.setLayout({ rightWidth: DEFAULT_LAYOUT.rightWidth })}
                />
                <RightPane width={layout.rightWidth} />
              </>
            )}
          </div>
          {!mobile && layout.bottomOpen && (
            <>
              <Divider
                orientation="horizontal"
                label="Resize the bottom panel"
                invert
                value={layout.bottomHeight}
                min={LIMITS.bottomHeight[0]}
                max={LIMITS.bottomHeight[1]}
                onChange={(v) => ui.setLayout({ bottomHeight: v })}
                onReset={() => ui.setLayout({ bottomHeight: DEFAULT_LAYOUT.bottomHeight })}
              />
              <BottomPane height={layout.bottomHeight} />
            </>
          )}
        </div>
      </div>
      <Overlays />
      <Toasts />
    </div>
  );
}

function Overlays() {
  const { ui } = useApp();
  const o = ui.overlay.value;
  const sid = ui.sessionId.value;
  const close = () => (ui.overlay.value = null);
  if (o?.kind === "tree" && sid) return <Lazy load={loadTree} props={{ sessionId: sid, onClose: close }} fallback={<p class="overlay-loading">Loading…</p>} />;
  if (o?.kind === "settings") return <Lazy load={loadSettings} props={{ tab: o.tab, onClose: close }} fallback={<p class="overlay-loading">Loading…</p>} />;
  return null;
}
