import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { useApp } from "../../app/context";
import type { ProviderModel } from "../../api/types";

export interface ModelChoice {
  provider: string;
  model: ProviderModel;
}

/** flattenModels lists the models whose provider has a key, for the picker. */
export function usableModels(providers: Array<{ provider: string; models: ProviderModel[] }>): ModelChoice[] {
  const out: ModelChoice[] = [];
  for (const p of providers) for (const m of p.models) if (m.hasAuth) out.push({ provider: p.provider, model: m });
  return out;
}

/** filterModels keeps the models matching every word of the query, best matches first. */
export function filterModels(list: ModelChoice[], query: string): ModelChoice[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return list;
  const scored: Array<[number, ModelChoice]> = [];
  for (const c of list) {
    const hay = `${c.provider}/${c.model.id} ${c.model.name}`.toLowerCase();
    let score = 0;
    let ok = true;
    for (const w of words) {
      const at = hay.indexOf(w);
      if (at < 0) {
        ok = false;
        break;
      }
      score += at === 0 || /[\s/:-]/.test(hay[at - 1]) ? 2 : 1;
    }
    if (ok) scored.push([score, c]);
  }
  return scored.sort((a, b) => b[0] - a[0]).map((x) => x[1]);
}

interface Props {
  provider?: string;
  modelId?: string;
  onPick: (provider: string, modelId: string) => Promise<void>;
}

/** ModelPicker is a searchable list of the models that have a key; ↑/↓, Enter, Esc. */
export function ModelPicker({ provider, modelId, onPick }: Props) {
  const app = useApp();
  const open = useSignal(false);
  const query = useSignal("");
  const active = useSignal(0);
  const error = useSignal<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (open.value) {
      void app.loadProviders();
      input.current?.focus();
    }
  }, [open.value]);

  const all = usableModels(app.providers.value ?? []);
  const shown = filterModels(all, query.value);
  const label = modelId ? `${provider}/${modelId}` : "default model";

  async function pick(c: ModelChoice) {
    error.value = null;
    try {
      await onPick(c.provider, c.model.id);
      open.value = false;
      button.current?.focus();
    } catch (e) {
      error.value = (e as Error).message;
    }
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === "ArrowDown") active.value = Math.min(shown.length - 1, active.value + 1);
    else if (e.key === "ArrowUp") active.value = Math.max(0, active.value - 1);
    else if (e.key === "Enter" && shown[active.value]) void pick(shown[active.value]);
    else if (e.key === "Escape") {
      open.value = false;
      button.current?.focus();
    } else return;
    e.preventDefault();
    e.stopPropagation();
  }

  return (
    <div class="model-picker">
      <button
        type="button"
        class="chip"
        ref={button}
        aria-haspopup="listbox"
        aria-expanded={open.value}
        title="Model for this session"
        onClick={() => (open.value = !open.value)}
      >
        model: {label} ▾
      </button>
      {open.value && (
        <div class="popover" onKeyDown={onKeyDown}>
          <input
            ref={input}
            class="popover-search"
            placeholder="Search models…"
            aria-label="Search models"
            aria-controls="model-list"
            aria-activedescendant={shown[active.value] ? `model-${active.value}` : undefined}
            value={query.value}
            onInput={(e) => {
              query.value = e.currentTarget.value;
              active.value = 0;
            }}
            onBlur={(e) => {
              if (!(e.relatedTarget as HTMLElement | null)?.closest?.(".model-picker")) open.value = false;
            }}
          />
          <ul id="model-list" role="listbox" aria-label="Models" class="popover-list">
            {app.providers.value === null && <li class="muted">Loading…</li>}
            {app.providers.value !== null && shown.length === 0 && <li class="muted">No model with an API key matches.</li>}
            {shown.slice(0, 200).map((c, i) => {
              const current = c.provider === provider && c.model.id === modelId;
              return (
                <li
                  key={`${c.provider}/${c.model.id}`}
                  id={`model-${i}`}
                  role="option"
                  aria-selected={i === active.value}
                  class={i === active.value ? "active" : ""}
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => pick(c)}
                >
                  <span>{current ? "● " : ""}{c.model.name || c.model.id}</span>
                  <span class="muted">
                    {c.provider} · {Math.round(c.model.contextWindow / 1000)}k
                  </span>
                </li>
              );
            })}
          </ul>
          <div class="popover-foot muted">
            {shown.length} of {all.length} models
          </div>
          {error.value && (
            <p class="form-error" role="alert">
              {error.value}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
