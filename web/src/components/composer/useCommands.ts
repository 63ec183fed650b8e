import { useSignal, type Signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { useApp } from "../../app/context";
import { BUILTINS, type SlashCommand } from "./SlashPalette";

/**
 * useCommands loads what the `/` palette offers in a project: the built-ins,
 * then the enabled prompt templates (with their argument hints), then the
 * enabled skills as /skill:name. It reloads when settings change them.
 */
export function useCommands(projectId: string | null): Signal<SlashCommand[]> {
  const { api, configVersion } = useApp();
  const commands = useSignal<SlashCommand[]>(BUILTINS);
  const version = configVersion.value;
  useEffect(() => {
    commands.value = BUILTINS;
    if (!projectId) return;
    let live = true;
    const templates = api.prompts(projectId).then(
      (r) => r.prompts.filter((p) => p.effective).map((p): SlashCommand => ({ name: p.name, description: p.description, hint: p.argumentHint, kind: "template" })),
      () => [] as SlashCommand[],
    );
    const skills = api.skills(projectId).then(
      (r) => r.skills.filter((s) => s.effective).map((s): SlashCommand => ({ name: `skill:${s.name}`, description: s.description, hint: "[request]", kind: "skill" })),
      () => [] as SlashCommand[],
    );
    void Promise.all([templates, skills]).then(([t, s]) => {
      if (live) commands.value = [...BUILTINS, ...t, ...s];
    });
    return () => {
      live = false;
    };
  }, [projectId, version]);
  return commands;
}
