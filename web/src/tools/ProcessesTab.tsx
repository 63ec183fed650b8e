import type { ComponentType } from "preact";
import { Lazy } from "../components/common/Lazy";

const load = (): Promise<ComponentType<{ compact?: boolean }>> => import("./ProcessesPanel").then((m) => m.ProcessesPanel);

/** ProcessesTab is the right pane's Processes tab; the panel is a lazy chunk. */
export function ProcessesTab() {
  return <Lazy load={load} props={{}} fallback={<p class="ws-loading">Loading…</p>} />;
}
