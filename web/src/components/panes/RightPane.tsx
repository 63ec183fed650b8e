import { useApp } from "../../app/context";
import type { RightTab } from "../../stores/ui";
import { ProcessesTab } from "../../tools/ProcessesTab";
import { TodoStripSlot } from "../../tools/TodoStripSlot";
import { useWorkspace } from "../../workspace/store";
import { WorkspacePanel } from "../../workspace/WorkspacePanel";

/** withGitCount puts the number of changed files on the Git tab. */
function withGitCount(tabs: typeof RIGHT_TABS, n: number | null) {
  return n ? tabs.map((t) => (t.id === "git" ? { ...t, label: `Git (${n})` } : t)) : tabs;
}

export const RIGHT_TABS: Array<{ id: RightTab; label: string }> = [
  { id: "files", label: "Files" },
  { id: "search", label: "Search" },
  { id: "changes", label: "Last turn" },
  { id: "git", label: "Git" },
  { id: "processes", label: "Processes" },
  { id: "context", label: "Context" },
];

/**
 * RightPane holds the workspace tabs; each panel is a lazy chunk
 * (workspace/WorkspacePanel).
 */
export function RightPane({ width }: { width: number }) {
  const { ui, tools } = useApp();
  const ws = useWorkspace();
  const tab = ui.layout.value.rightTab;
  const running = tools.running.value;
  const tabs = withGitCount(RIGHT_TABS, ws.gitChanges.value).map((t) => (t.id === "processes" && running ? { ...t, label: `Processes (${running})` } : t));
  return (
    <aside class="right-pane" style={{ width: `${width}px` }} aria-label="Side panel">
      <Tabs tabs={tabs} active={tab} onPick={(id) => ui.setLayout({ rightTab: id })} label="Side panel" />
      <div class="pane-body" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === "processes" ? (
          <ProcessesTab />
        ) : (
          <WorkspacePanel tab={tab} fallback={<p class="empty-note">{RIGHT_TABS.find((t) => t.id === tab)?.label} is not available yet.</p>} />
        )}
      </div>
      <TodoStripSlot />
    </aside>
  );
}

/** Tabs is an ARIA tab list: arrow keys move between tabs. */
export function Tabs<T extends string>(p: { tabs: Array<{ id: T; label: string }>; active: T; onPick: (id: T) => void; label: string }) {
  function onKeyDown(e: KeyboardEvent) {
    const i = p.tabs.findIndex((t) => t.id === p.active);
    let j = -1;
    if (e.key === "ArrowRight") j = (i + 1) % p.tabs.length;
    else if (e.key === "ArrowLeft") j = (i - 1 + p.tabs.length) % p.tabs.length;
    else if (e.key === "Home") j = 0;
    else if (e.key === "End") j = p.tabs.length - 1;
    if (j < 0) return;
    e.preventDefault();
    p.onPick(p.tabs[j].id);
    (e.currentTarget as HTMLElement).querySelectorAll<HTMLElement>("[role=tab]")[j]?.focus();
  }
  return (
    <div class="tabs" role="tablist" aria-label={p.label} onKeyDown={onKeyDown}>
      {p.tabs.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          id={`tab-${t.id}`}
          aria-selected={t.id === p.active}
          aria-controls={`panel-${t.id}`}
          tabIndex={t.id === p.active ? 0 : -1}
          class="tab"
          onClick={() => p.onPick(t.id)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
