import { useSignal } from "@preact/signals";
import { useApp } from "../../app/context";
import { Lazy } from "../common/Lazy";
import { Modal } from "../common/Modal";
import { Tabs } from "../panes/RightPane";
import { AboutTab } from "./AboutTab";
import { AgentTab } from "./AgentTab";
import { AppearanceTab } from "./AppearanceTab";
import { ModelsTab } from "./ModelsTab";
import { ProvidersTab } from "./ProvidersTab";
import { SystemPromptTab } from "./SystemPromptTab";
import { PromptsTab, SkillsTab, ToolsTab } from "./TogglesTab";
import "./settings.css";

export type SettingsTab = "providers" | "models" | "agent" | "mcp" | "tools" | "skills" | "prompts" | "system-prompt" | "appearance" | "about";

const ALL: Array<{ id: SettingsTab; label: string; full?: boolean }> = [
  { id: "providers", label: "Providers", full: true },
  { id: "models", label: "Models", full: true },
  { id: "agent", label: "Agent", full: true },
  { id: "mcp", label: "MCP", full: true },
  { id: "tools", label: "Tools" },
  { id: "skills", label: "Skills" },
  { id: "prompts", label: "Prompts" },
  { id: "system-prompt", label: "System prompt" },
  { id: "appearance", label: "Appearance" },
  { id: "about", label: "About" },
];

/**
 * Settings is the configuration panel, one tab per topic. Provider keys are
 * write-only (the server only says whether one is stored). Under MINIMAL_UI
 * the provider, model and agent tabs are hidden.
 */
export function Settings({ tab, onClose }: { tab?: string; onClose: () => void }) {
  const { auth, api } = useApp();
  const minimal = !!auth.uiConfig.value?.minimal;
  const tabs = ALL.filter((t) => !(minimal && t.full));
  const first = tabs.find((t) => t.id === tab)?.id ?? tabs[0].id;
  const active = useSignal<SettingsTab>(first);
  const token = api.token.get();
  const docs = token ? `/api/docs?token=${encodeURIComponent(token)}` : "/api/docs";

  return (
    <Modal title="Settings" onClose={onClose} large>
      <div class="settings">
        <div class="settings-head">
          <Tabs tabs={tabs} active={active.value} onPick={(id) => (active.value = id)} label="Settings sections" />
          <a class="btn btn-small" href={docs} target="_blank" rel="noopener noreferrer">
            API docs ↗
          </a>
        </div>
        <div class="settings-body" role="tabpanel" id={`panel-${active.value}`} aria-labelledby={`tab-${active.value}`}>
          <Body tab={active.value} />
        </div>
      </div>
    </Modal>
  );
}

// The MCP tab is its own chunk: most visits to Settings never open it.
const loadMcp = () => import("../../mcp/McpTab").then((m) => m.McpTab);

function Body({ tab }: { tab: SettingsTab }) {
  switch (tab) {
    case "providers":
      return <ProvidersTab />;
    case "models":
      return <ModelsTab />;
    case "agent":
      return <AgentTab />;
    case "mcp":
      return <Lazy load={loadMcp} props={{}} fallback={<p class="muted">Loading…</p>} />;
    case "tools":
      return <ToolsTab />;
    case "skills":
      return <SkillsTab />;
    case "prompts":
      return <PromptsTab />;
    case "system-prompt":
      return <SystemPromptTab />;
    case "appearance":
      return <AppearanceTab />;
    case "about":
      return <AboutTab />;
  }
}
