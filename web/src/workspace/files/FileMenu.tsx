import { useEffect, useRef } from "preact/hooks";
import type { Row } from "./rows";

export type MenuAction = "open" | "context" | "new-file" | "new-folder" | "rename" | "download" | "upload" | "upload-folder" | "delete";

/** FileMenu is the tree's context menu: arrow keys move, Enter picks, Esc or a click elsewhere closes. */
export function FileMenu({ x, y, row, onPick, onClose }: { x: number; y: number; row: Row | null; onPick: (a: MenuAction) => void; onClose: () => void }) {
  const box = useRef<HTMLDivElement>(null);
  const dir = !row || row.node.type === "directory";
  const items: Array<[MenuAction, string]> = [
    ...(row ? ([["open", dir ? "Expand / collapse" : "Open"], ["context", "Add as @ context"]] as Array<[MenuAction, string]>) : []),
    ["new-file", "New file…"],
    ["new-folder", "New folder…"],
    ...(dir ? ([["upload", "Upload files here…"], ["upload-folder", "Upload a folder here…"]] as Array<[MenuAction, string]>) : []),
    ...(row ? ([["rename", "Rename…"]] as Array<[MenuAction, string]>) : []),
    ["download", dir ? "Download as .tar.gz" : "Download"],
    ...(row ? ([["delete", "Delete…"]] as Array<[MenuAction, string]>) : []),
  ];

  useEffect(() => {
    box.current?.querySelector<HTMLElement>("button")?.focus();
    const away = (e: MouseEvent) => !box.current?.contains(e.target as Node) && onClose();
    window.addEventListener("mousedown", away, true);
    return () => window.removeEventListener("mousedown", away, true);
  }, []);

  function onKeyDown(e: KeyboardEvent) {
    const buttons = [...(box.current?.querySelectorAll<HTMLElement>("button") ?? [])];
    const i = buttons.indexOf(document.activeElement as HTMLElement);
    if (e.key === "Escape" || e.key === "Tab") onClose();
    else if (e.key === "ArrowDown") buttons[(i + 1) % buttons.length]?.focus();
    else if (e.key === "ArrowUp") buttons[(i - 1 + buttons.length) % buttons.length]?.focus();
    else return;
    e.preventDefault();
    e.stopPropagation();
  }

  // Keep the menu on screen.
  const left = Math.min(x, window.innerWidth - 220);
  const top = Math.min(y, window.innerHeight - items.length * 30 - 12);
  return (
    <div class="ws-menu" role="menu" aria-label={row ? `Actions for ${row.node.name}` : "Project actions"} ref={box} style={{ left: `${left}px`, top: `${top}px` }} onKeyDown={onKeyDown}>
      {items.map(([a, label]) => (
        <button key={a} type="button" role="menuitem" class={a === "delete" ? "danger" : undefined} onClick={() => onPick(a)}>
          {label}
        </button>
      ))}
    </div>
  );
}
