import { useApp } from "../../app/context";
import type { ThinkingLevel } from "../../api/types";

interface Props {
  provider?: string;
  modelId?: string;
  level?: ThinkingLevel;
  onPick: (level: ThinkingLevel) => void;
}

/** ThinkingPicker sets how hard the model thinks; shown only when the model offers a choice. */
export function ThinkingPicker({ provider, modelId, level, onPick }: Props) {
  const { providers } = useApp();
  const model = providers.value?.find((p) => p.provider === provider)?.models.find((m) => m.id === modelId);
  const levels = model?.supportedThinkingLevels ?? [];
  if (levels.length < 2) return null;
  return (
    <label class="chip thinking-picker">
      thinking:
      <select value={level ?? ""} aria-label="Thinking level" onChange={(e) => onPick(e.currentTarget.value as ThinkingLevel)}>
        {!level && <option value="">default</option>}
        {levels.map((l) => (
          <option key={l} value={l}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );
}
