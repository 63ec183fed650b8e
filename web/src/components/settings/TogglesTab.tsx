import { useSignal } from "@preact/signals";
import { useApp } from "../../app/context";
import type { Api } from "../../api/client";
import type { Diagnostic, ProjectOverride, ToolFamily, ToolInfo } from "../../api/types";
import { ErrorLine, NextSessionNote, ProjectSelect, useLoad, useProjectChoice } from "./common";

/** One thing that can be switched on or off, globally and per project. */
export interface ToggleItem {
  name: string;
  label: string;
  description: string;
  badges: string[];
  filePath?: string;
  family?: ToolFamily;
  globalEnabled: boolean;
  projectOverride?: ProjectOverride;
  /** On or off in the chosen project, after its override. */
  effective: boolean;
}

type Overrides = Record<string, { enable?: string[]; disable?: string[] }>;

/** A family of toggles (tools, skills, prompts) and the routes that change them. */
export interface ToggleSource {
  noun: string;
  intro: preact.ComponentChildren;
  load(projectId: string): Promise<{ items: ToggleItem[]; diagnostics?: Diagnostic[] }>;
  /** Per-project override lists, for the item's family. */
  overrides(): Promise<(item: ToggleItem) => Overrides>;
  setGlobal(item: ToggleItem, on: boolean, projectId: string): Promise<unknown>;
  setProject(item: ToggleItem, projectId: string, state: ProjectOverride | null): Promise<unknown>;
}

export function toolsSource(api: Api): ToggleSource {
  const item = (t: ToolInfo, family: ToolFamily, badge: string): ToggleItem => ({
    name: t.name,
    label: t.shortName ?? t.name,
    description: t.description,
    badges: [badge],
    family,
    globalEnabled: t.globalEnabled,
    projectOverride: t.projectOverride,
    effective: t.enabled,
  });
  return {
    noun: "tool",
    intro: "Tools the agent may call. Switching one off removes it from new sessions' tool list; a project can override the global choice.",
    async load(pid) {
      const r = await api.tools(pid);
      return {
        items: [
          ...r.builtin.map((t) => item(t, "builtin", "built-in")),
          ...(r.extension ?? []).flatMap((x) => x.tools.map((t) => item(t, "extension", x.packageSource))),
          ...(r.mcp ?? []).flatMap((s) => s.tools.map((t) => item(t, "mcp", `MCP · ${s.server}`))),
        ],
      };
    },
    async overrides() {
      const r = await api.toolOverrides();
      return (it) => Object.fromEntries(Object.entries(r.projects ?? {}).map(([pid, fam]) => [pid, fam[it.family ?? "builtin"] ?? {}]));
    },
    setGlobal: (it, on) => api.setTool(it.family ?? "builtin", it.name, on, "global"),
    setProject: (it, pid, state) => (state === null ? api.clearTool(it.family ?? "builtin", it.name, pid) : api.setTool(it.family ?? "builtin", it.name, state === "enabled", "project", pid)),
  };
}

export function skillsSource(api: Api): ToggleSource {
  return {
    noun: "skill",
    intro: (
      <>
        Skills are read from <code>~/.pi/agent/skills/</code> and the project's <code>.pi/skills/</code>. The agent loads a skill when its description
        fits the task; <code>/skill:name</code> in the composer asks for one.
      </>
    ),
    async load(pid) {
      const r = await api.skills(pid);
      return {
        diagnostics: r.diagnostics,
        items: r.skills.map((s) => ({
          name: s.name,
          label: s.name,
          description: s.description,
          badges: [s.source, ...(s.disableModelInvocation ? ["command only"] : [])],
          filePath: s.filePath,
          globalEnabled: s.enabled,
          projectOverride: s.projectOverride,
          effective: s.effective,
        })),
      };
    },
    async overrides() {
      const r = await api.skillOverrides();
      return () => r.projects ?? {};
    },
    setGlobal: (it, on, pid) => api.setSkill(pid, it.name, on, "global"),
    setProject: (it, pid, state) => (state === null ? api.clearSkill(pid, it.name) : api.setSkill(pid, it.name, state === "enabled", "project")),
  };
}

export function promptsSource(api: Api): ToggleSource {
  return {
    noun: "prompt template",
    intro: (
      <>
        Prompt templates are Markdown files in <code>~/.pi/agent/prompts/</code> and the project's <code>.pi/prompts/</code>; type <code>/name</code> in
        the composer to use one.
      </>
    ),
    async load(pid) {
      const r = await api.prompts(pid);
      return {
        diagnostics: r.diagnostics,
        items: r.prompts.map((p) => ({
          name: p.name,
          label: `/${p.name}`,
          description: p.description,
          badges: [p.source, ...(p.argumentHint ? [p.argumentHint] : [])],
          filePath: p.filePath,
          globalEnabled: p.enabled,
          projectOverride: p.projectOverride,
          effective: p.effective,
        })),
      };
    },
    async overrides() {
      const r = await api.promptOverrides();
      return () => r.projects ?? {};
    },
    setGlobal: (it, on, pid) => api.setPrompt(pid, it.name, on, "global"),
    setProject: (it, pid, state) => (state === null ? api.clearPrompt(pid, it.name) : api.setPrompt(pid, it.name, state === "enabled", "project")),
  };
}

export function ToolsTab() {
  const { api } = useApp();
  return <ToggleList source={toolsSource(api)} />;
}
export function SkillsTab() {
  const { api } = useApp();
  return <ToggleList source={skillsSource(api)} />;
}
export function PromptsTab() {
  const { api } = useApp();
  return <ToggleList source={promptsSource(api)} />;
}

/** overrideOf reads an item's override in one project from the cascade lists. */
export function overrideOf(lists: Overrides, pid: string, name: string): ProjectOverride | undefined {
  const o = lists[pid];
  if (o?.enable?.includes(name)) return "enabled";
  if (o?.disable?.includes(name)) return "disabled";
  return undefined;
}

function ToggleList({ source }: { source: ToggleSource }) {
  const { configVersion } = useApp();
  const pid = useProjectChoice();
  const list = useLoad<{ items: ToggleItem[]; diagnostics?: Diagnostic[] }>(() => (pid.value ? source.load(pid.value) : Promise.resolve({ items: [] })), [pid.value]);
  const cascade = useLoad(() => source.overrides());
  const error = useSignal<string | null>(null);
  const filter = useSignal("");

  async function change(fn: () => Promise<unknown>) {
    error.value = null;
    try {
      await fn();
      await Promise.all([list.reload(), cascade.reload()]);
      configVersion.value++;
    } catch (e) {
      error.value = (e as Error).message;
    }
  }

  const q = filter.value.trim().toLowerCase();
  const items = (list.data.value?.items ?? []).filter((i) => !q || i.name.toLowerCase().includes(q) || i.description.toLowerCase().includes(q));
  const diagnostics = list.data.value?.diagnostics ?? [];
  return (
    <div class="settings-section">
      <p class="muted">{source.intro}</p>
      <NextSessionNote />
      <div class="section-tools">
        <ProjectSelect value={pid} label="Effective in" />
        <input type="search" class="settings-filter" placeholder={`Filter ${source.noun}s`} aria-label={`Filter ${source.noun}s`} value={filter.value} onInput={(e) => (filter.value = e.currentTarget.value)} />
      </div>
      <ErrorLine error={list.error.value ?? error.value} />
      {diagnostics.length > 0 && (
        <ul class="banner diagnostics" aria-label="Problems loading">
          {diagnostics.map((d, i) => (
            <li key={i}>
              <strong>{d.type}</strong>: {d.message} {d.path && <code>{d.path}</code>}
            </li>
          ))}
        </ul>
      )}
      {list.loading.value && !list.data.value && <p class="muted">Loading…</p>}
      {list.data.value && items.length === 0 && <p class="empty-note">No {source.noun}s found.</p>}
      <ul class="card-list">
        {items.map((it) => (
          <ToggleRow key={`${it.family ?? ""}:${it.name}`} item={it} source={source} projectId={pid.value!} cascade={cascade.data.value?.(it) ?? {}} change={change} />
        ))}
      </ul>
    </div>
  );
}

function ToggleRow(p: { item: ToggleItem; source: ToggleSource; projectId: string; cascade: Overrides; change: (fn: () => Promise<unknown>) => Promise<void> }) {
  const { projects } = useApp();
  const it = p.item;
  // The switch moves at once; the list reloads from the server when the change is saved.
  const pendingGlobal = useSignal<boolean | null>(null);
  const globalOn = pendingGlobal.value ?? it.globalEnabled;
  const all = projects.projects.value;
  const projectName = all.find((x) => x.id === p.projectId)?.name ?? "this project";
  const withOverride = all.filter((x) => overrideOf(p.cascade, x.id, it.name));
  const id = `t-${(it.family ?? "") + it.name}`.replace(/[^\w-]/g, "_");
  return (
    <li class="card toggle-card">
      <div class="card-head">
        <span class={`state-dot ${it.effective ? "on" : "off"}`} title={`${it.effective ? "On" : "Off"} in ${projectName}`} aria-hidden="true" />
        <strong>{it.label}</strong>
        {it.badges.map((b) => (
          <span key={b} class="pill">
            {b}
          </span>
        ))}
        <span class="card-actions">
          <label class="switch" for={`${id}-g`}>
            <input
              id={`${id}-g`}
              type="checkbox"
              role="switch"
              checked={globalOn}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                pendingGlobal.value = on;
                void p.change(() => p.source.setGlobal(it, on, p.projectId)).finally(() => (pendingGlobal.value = null));
              }}
            />
            Global
          </label>
          <TriState
            label={`In ${projectName}`}
            value={it.projectOverride}
            globalOn={it.globalEnabled}
            onChange={(v) => void p.change(() => p.source.setProject(it, p.projectId, v))}
          />
        </span>
      </div>
      {it.description && <p class="card-desc">{it.description}</p>}
      {it.filePath && <code class="muted card-path">{it.filePath}</code>}
      <details class="disclosure">
        <summary>Overrides ({withOverride.length})</summary>
        <ul class="override-list">
          {withOverride.map((x) => (
            <li key={x.id}>
              <TriState
                label={x.name}
                value={overrideOf(p.cascade, x.id, it.name)}
                globalOn={it.globalEnabled}
                onChange={(v) => void p.change(() => p.source.setProject(it, x.id, v))}
              />
            </li>
          ))}
        </ul>
        {all.length > withOverride.length && (
          <label class="inline-field">
            Add an override for
            <select
              value=""
              onChange={(e) => {
                const target = e.currentTarget.value;
                if (target) void p.change(() => p.source.setProject(it, target, it.globalEnabled ? "disabled" : "enabled"));
              }}
            >
              <option value="">choose a project…</option>
              {all
                .filter((x) => !withOverride.includes(x))
                .map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                  </option>
                ))}
            </select>
          </label>
        )}
      </details>
    </li>
  );
}

function TriState(p: { label: string; value: ProjectOverride | undefined; globalOn: boolean; onChange: (v: ProjectOverride | null) => void }) {
  return (
    <label class="inline-field tri-state">
      {p.label}
      <select value={p.value ?? ""} onChange={(e) => p.onChange((e.currentTarget.value || null) as ProjectOverride | null)}>
        <option value="">inherit ({p.globalOn ? "on" : "off"})</option>
        <option value="enabled">on</option>
        <option value="disabled">off</option>
      </select>
    </label>
  );
}
