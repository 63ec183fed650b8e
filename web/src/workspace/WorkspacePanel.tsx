import type { ComponentType } from "preact";
import { useRef } from "preact/hooks";
import { useApp } from "../app/context";
import { Lazy } from "../components/common/Lazy";
import type { RightTab } from "../stores/ui";
import { useWorkspace } from "./store";

// Each panel is its own lazy chunk, loaded the first time its tab opens.
const LOADERS: Partial<Record<RightTab, () => Promise<ComponentType<object>>>> = {
  files: () => import("./files/FilesPanel").then((m) => m.FilesPanel),
  search: () => import("./SearchPanel").then((m) => m.SearchPanel),
  changes: () => import("./TurnDiffPanel").then((m) => m.TurnDiffPanel),
  git: () => import("./git/GitPanel").then((m) => m.GitPanel),
};

/**
 * WorkspacePanel shows the right pane's workspace tabs. A panel stays mounted
 * (hidden) once opened, so switching tabs keeps its state.
 */
export function WorkspacePanel({ tab, fallback }: { tab: RightTab; fallback: preact.ComponentChildren }) {
  const { ui } = useApp();
  const ws = useWorkspace();
  const seen = useRef(new Set<RightTab>());
  if (!ws.project.value) {
    return <p class="empty-note">{ui.projectId.value ? "Loading the project…" : "Open a project to see its files."}</p>;
  }
  if (LOADERS[tab]) seen.current.add(tab);
  return (
    <>
      {[...seen.current].map((t) => (
        <div key={t} class="ws-panel" hidden={t !== tab}>
          <Lazy load={LOADERS[t]!} props={{}} fallback={<p class="ws-loading">Loading…</p>} />
        </div>
      ))}
      {!LOADERS[tab] && fallback}
    </>
  );
}
