import type { SessionContext } from "../../api/types";
import { formatTokens } from "../../stores/chat";
import { money } from "../common/time";

/** ContextMeter shows how full the context window is and what the session has cost so far. */
export function ContextMeter({ context }: { context: SessionContext | null }) {
  if (!context) return null;
  const u = context.contextUsage;
  const pct = u?.percent ?? (u?.tokens && u.contextWindow ? (u.tokens / u.contextWindow) * 100 : undefined);
  const level = pct === undefined ? "" : pct >= 90 ? "danger" : pct >= 75 ? "warn" : "";
  const title =
    `Context: ${u?.tokens ?? "?"} of ${u?.contextWindow ?? "?"} tokens\n` +
    `Session: ${context.totalInputTokens} in, ${context.totalOutputTokens} out, ` +
    `${context.totalCacheReadTokens} cache read, ${context.totalCacheWriteTokens} cache write`;
  return (
    <div class={`context-meter ${level}`} title={title}>
      {pct !== undefined && (
        <span class="meter" role="meter" aria-label="Context window used" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)}>
          <span class="meter-fill" style={{ width: `${Math.min(100, pct)}%` }} />
        </span>
      )}
      <span>
        {u?.tokens !== undefined ? `${formatTokens(u.tokens)} / ${formatTokens(u.contextWindow)}` : `${formatTokens(u?.contextWindow ?? 0)} window`}
        {pct !== undefined ? ` (${Math.round(pct)}%)` : ""}
      </span>
      <span class="muted">· {money(context.totalCost ?? 0)}</span>
    </div>
  );
}
