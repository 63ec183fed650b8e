import type { ComponentType } from "preact";
import { useApp } from "../app/context";
import { Lazy } from "../components/common/Lazy";

const load = (): Promise<ComponentType<object>> => import("./TodoStrip").then((m) => m.TodoStrip);

/** TodoStripSlot shows the todo strip (a lazy chunk) when it is open and the list has tasks. */
export function TodoStripSlot() {
  const { tools } = useApp();
  if (!tools.strip.value.open || tools.todoCounts.value.total === 0) return null;
  return <Lazy load={load} props={{}} />;
}
