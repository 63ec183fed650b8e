import type { ComponentType } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { useApp } from "../app/context";
import { Lazy } from "../components/common/Lazy";
import type { RightTab } from "../stores/ui";
import { useWorkspace } from "./store";

// Each panel is its own lazy chunk, loaded the first time its tab opens.
const BADGE_POLL_MS = 15_000;

const LOADERS: Partial<Record<RightTab, () => Promise<ComponentType<object>>>> = {
  files: () => import("./files/FilesPanel").then((m) => m.FilesPanel),
  search: () => import("./SearchPanel").then((m) => m.SearchPanel),
  changes: () => import("./TurnDiffPanel").then((m) => m.TurnDiffPanel),
  git: () => import("./git/GitPanel").then((m) => m.GitPanel),
  context: () => import("./ContextPanel").then((m) => m.ContextPanel),
};

/**
 * WorkspacePanel shows the right pane's workspace tabs. A panel stays mounted
 * (hidden) once opened, so switching tabs keeps its state.
 */
export function WorkspacePanel({ tab, fallback }: { tab: RightTab; fallback: preact.ComponentChildren }) {
  const { ui } = useApp();
  const ws = useWorkspace();
  const seen = useRef(new Set<RightTab>());
  useGitBadge(tab !== "git");
  if (!ws.project.value) {
    return <p class="empty-note">{ui.projectId.value ? "Loading the project…" : "Open a project to see its files."}</p>;
  }
  if (LOADERS[tab]) seen.current.add(tab);
  return (
    <>
      {[...seen.current].map((t) => (
        // Keyed by project too: another project's panel starts afresh.
        <div key={`${t}:${ws.project.value!.id}`} class="ws-panel" hidden={t !== tab}>
          <Lazy load={LOADERS[t]!} props={{}} fallback={<p class="ws-loading">Loading…</p>} />
        </div>
      ))}
      {!LOADERS[tab] && fallback}
    </>
  );
}

/**
 * useGitBadge keeps the Git tab's count of changed files (and the file tree's
 * colours) current while the Git panel itself is not showing (it updates them
 * when it is): every
 * 15 s while the page is visible and the agent idle, and after git-changing
 * events.
 */
function useGitBadge(active: boolean): void {
  const { chat } = useApp();
  const ws = useWorkspace();
  const projectId = ws.project.value?.id;
  const version = ws.gitVersion.value;
  useEffect(() => {
    if (!active || !projectId) return;
    let live = true;
    const poll = () => {
      if (document.visibilityState !== "visible" || chat.isStreaming.peek()) return;
      ws.api.gitStatus(projectId).then(
        (st) => live && ws.setGitStatus(st),
        () => undefined,
      );
    };
    poll();
    const t = setInterval(poll, BADGE_POLL_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [active, projectId, version]);
}
