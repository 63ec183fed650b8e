import { useApp } from "../../app/context";
import { TerminalSlot } from "../../terminal/TerminalSlot";
import { Tabs } from "./RightPane";

/**
 * BottomPane is the terminal strip; xterm.js is a lazy chunk loaded the first
 * time it opens (terminal/TerminalSlot).
 */
export function BottomPane({ height }: { height: number }) {
  const { ui } = useApp();
  return (
    <section class="bottom-pane" style={{ height: `${height}px` }} aria-label="Bottom panel">
      <Tabs tabs={[{ id: "terminal" as const, label: "Terminal" }]} active={ui.layout.value.bottomTab} onPick={() => undefined} label="Bottom panel" />
      <div class="pane-body" role="tabpanel" id="panel-terminal" aria-labelledby="tab-terminal">
        <TerminalSlot />
      </div>
    </section>
  );
}
