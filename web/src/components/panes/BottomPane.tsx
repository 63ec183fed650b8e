import { useApp } from "../../app/context";
import { Tabs } from "./RightPane";

/**
 * BottomPane is the terminal strip. xterm.js arrives with the terminal work as
 * a lazy chunk: import("./TerminalPanel") inside this pane, never eagerly.
 */
export function BottomPane({ height }: { height: number }) {
  const { ui } = useApp();
  return (
    <section class="bottom-pane" style={{ height: `${height}px` }} aria-label="Bottom panel">
      <Tabs tabs={[{ id: "terminal" as const, label: "Terminal" }]} active={ui.layout.value.bottomTab} onPick={() => undefined} label="Bottom panel" />
      <div class="pane-body" role="tabpanel" id="panel-terminal" aria-labelledby="tab-terminal">
        <p class="empty-note">The terminal comes with the terminal work.</p>
      </div>
    </section>
  );
}
