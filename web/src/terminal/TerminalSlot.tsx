import { useApp } from "../app/context";
import { Lazy } from "../components/common/Lazy";

const loadTerminal = () => import("./TerminalPane").then((m) => m.TerminalPane);

/** TerminalSlot loads the terminal (xterm.js) the first time the bottom pane opens. */
export function TerminalSlot() {
  const { ui } = useApp();
  const projectId = ui.projectId.value;
  if (!projectId) return <p class="empty-note">Open a project to start a terminal in it.</p>;
  return <Lazy load={loadTerminal} props={{ projectId }} fallback={<p class="ws-loading">Loading the terminal…</p>} />;
}
