import { signal } from "@preact/signals";
import { Lazy } from "../components/common/Lazy";
import { Divider } from "../components/layout/Divider";
import { isMobile } from "../components/layout/media";
import { useWorkspace } from "./store";

const WIDTH_KEY = "pi-forge/editor-width";
const DEFAULT_WIDTH = 560;
const MIN = 320;
const MAX = 1400;
const loadEditor = () => import("./editor/EditorPane").then((m) => m.EditorPane);

function savedWidth(): number {
  try {
    const v = Number(localStorage.getItem(WIDTH_KEY));
    return v >= MIN && v <= MAX ? v : DEFAULT_WIDTH;
  } catch {
    return DEFAULT_WIDTH;
  }
}

const width = signal(typeof localStorage === "undefined" ? DEFAULT_WIDTH : savedWidth());

function setWidth(v: number): void {
  width.value = Math.round(Math.max(MIN, Math.min(MAX, v)));
  try {
    localStorage.setItem(WIDTH_KEY, String(width.value));
  } catch {
    // not remembered
  }
}

/**
 * EditorSlot is the editor column beside the chat. It mounts (and loads the
 * CodeMirror chunk) only once a file is open.
 */
export function EditorSlot() {
  const ws = useWorkspace();
  if (isMobile.value || !ws.project.value || ws.tabs.value.length === 0) return null;
  return (
    <>
      <Divider orientation="vertical" label="Resize the editor" invert value={width.value} min={MIN} max={MAX} onChange={setWidth} onReset={() => setWidth(DEFAULT_WIDTH)} />
      <section class="editor-col" style={{ width: `${width.value}px` }} aria-label="Editor">
        <Lazy load={loadEditor} props={{}} fallback={<p class="ws-loading">Loading the editor…</p>} />
      </section>
    </>
  );
}
