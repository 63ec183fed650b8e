import { useComputed, useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { ApiError } from "../../api/client";
import { useApp } from "../../app/context";
import { ConfirmDialog } from "../../components/common/Modal";
import type { TreeNode } from "../api";
import { CollapseIcon, DownloadIcon, NewFileIcon, NewFolderIcon, RefreshIcon, UploadFolderIcon, UploadIcon } from "../icons";
import { useWorkspace } from "../store";
import { FileMenu, type MenuAction } from "./FileMenu";
import { InlineName } from "./InlineName";
import { baseName, parentRel, visibleRows, type Row } from "./rows";
import { fromDataTransfer, fromFileList, upload, type UploadItem, type UploadProgress } from "./upload";
import "../workspace.css";

const DRAG_TYPE = "application/x-pi-forge-path";

type Editing = { kind: "file" | "folder"; parent: string } | { kind: "rename"; rel: string } | null;
type Pending = { kind: "delete"; row: Row; recursive: boolean } | { kind: "delete-many"; rels: string[] } | { kind: "overwrite"; parent: string; items: UploadItem[] } | null;

/** FilesPanel is the project's file tree: open, create, rename, move by drag, delete, upload, download, @-reference. */
export function FilesPanel() {
  const { ui } = useApp();
  const ws = useWorkspace();
  const project = ws.project.value!;
  const root = project.path.replace(/\/+$/, "");
  const tree = useSignal<TreeNode | null>(null);
  const error = useSignal<string | null>(null);
  const expanded = useSignal<Set<string>>(loadExpanded(project.id));
  const selected = useSignal<string | null>(null);
  /** Rows picked with Ctrl/Cmd+click, for actions on several at once. */
  const picked = useSignal<Set<string>>(new Set());
  const editing = useSignal<Editing>(null);
  const menu = useSignal<{ x: number; y: number; row: Row | null } | null>(null);
  const pending = useSignal<Pending>(null);
  const busy = useSignal(false);
  const progress = useSignal<UploadProgress | null>(null);
  const dropOn = useSignal<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const uploadTarget = useRef("");
  const treeEl = useRef<HTMLDivElement>(null);
  const rows = useComputed(() => visibleRows(tree.value, expanded.value));
  // Folders holding changes, for a dot beside their name.
  const changedDirs = useComputed(() => {
    const dirs = new Set<string>();
    for (const path of ws.gitKinds.value.keys()) for (let d = parentRel(path); d; d = parentRel(d)) dirs.add(d);
    return dirs;
  });

  const abs = (rel: string) => (rel ? `${root}/${rel}` : root);

  async function reload(): Promise<void> {
    try {
      tree.value = await ws.api.tree(project.id);
      error.value = null;
    } catch (e) {
      error.value = (e as Error).message;
    }
  }

  useEffect(() => {
    void reload();
  }, [project.id]);
  // The agent wrote files, an upload landed, a run ended: look again (coalesced).
  const version = ws.treeVersion.value;
  useEffect(() => {
    if (version === 0) return;
    const t = setTimeout(() => void reload(), 300);
    return () => clearTimeout(t);
  }, [version]);
  useEffect(() => saveExpanded(project.id, expanded.value), [expanded.value]);

  function toggle(rel: string, open?: boolean): void {
    const next = new Set(expanded.value);
    const want = open ?? !next.has(rel);
    if (want) next.add(rel);
    else next.delete(rel);
    expanded.value = next;
  }

  function activate(row: Row): void {
    selected.value = row.rel;
    if (row.node.type === "directory") toggle(row.rel);
    else ws.openFile(abs(row.rel));
  }

  async function run(what: string, f: () => Promise<void>): Promise<boolean> {
    busy.value = true;
    try {
      await f();
      return true;
    } catch (e) {
      ui.toast(`${what}: ${(e as Error).message}`);
      return false;
    } finally {
      busy.value = false;
    }
  }

  async function changed(): Promise<void> {
    ws.gitVersion.value++;
    await reload();
  }

  async function createEntry(kind: "file" | "folder", parent: string, name: string): Promise<void> {
    const at = parent ? `${parent}/${name}` : name;
    await run(kind === "file" ? "New file" : "New folder", async () => {
      if (kind === "folder") await ws.api.mkdir(project.id, abs(parent), name);
      else {
        // PUT /files/write replaces: make sure nothing is there (the tree may be older than the disk).
        if (exists(tree.value, at) || (await onDisk(abs(at)))) throw new ApiError(409, "target_exists", `${name} already exists.`);
        await ws.api.write(project.id, abs(at), "");
        ws.openFile(abs(at));
      }
      if (parent) toggle(parent, true);
      selected.value = at;
      await changed();
    });
  }

  async function onDisk(path: string): Promise<boolean> {
    try {
      await ws.api.read(project.id, path);
      return true;
    } catch (e) {
      return !(e instanceof ApiError && e.code === "not_found");
    }
  }

  async function renameEntry(rel: string, name: string): Promise<void> {
    if (name === baseName(rel)) return;
    await run("Rename", async () => {
      const res = await ws.api.rename(project.id, abs(rel), name);
      ws.pathMoved(abs(rel), res.path);
      selected.value = ws.relPath(res.path);
      await changed();
    });
  }

  async function moveEntry(srcAbs: string, destDirRel: string): Promise<void> {
    const dest = `${abs(destDirRel)}/${baseName(srcAbs)}`;
    if (dest === srcAbs || abs(destDirRel) === srcAbs) return;
    await run("Move", async () => {
      const res = await ws.api.move(project.id, srcAbs, dest);
      ws.pathMoved(srcAbs, res.path);
      if (destDirRel) toggle(destDirRel, true);
      await changed();
    });
  }

  async function deleteEntry(row: Row, recursive: boolean): Promise<void> {
    busy.value = true;
    try {
      await ws.api.remove(project.id, abs(row.rel), recursive);
      ws.pathDeleted(abs(row.rel));
      pending.value = null;
      await changed();
    } catch (e) {
      if (e instanceof ApiError && e.code === "directory_not_empty") pending.value = { kind: "delete", row, recursive: true };
      else {
        pending.value = null;
        ui.toast(`Delete: ${(e as Error).message}`);
      }
    } finally {
      busy.value = false;
    }
  }

  async function deleteMany(rels: string[]): Promise<void> {
    busy.value = true;
    const failed: string[] = [];
    // A picked folder takes what it holds along: nothing is deleted twice.
    const top = rels.filter((r) => !rels.some((o) => o !== r && r.startsWith(o + "/")));
    for (const rel of top) {
      try {
        await ws.api.remove(project.id, abs(rel), true);
        ws.pathDeleted(abs(rel));
      } catch (e) {
        failed.push(`${rel}: ${(e as Error).message}`);
      }
    }
    busy.value = false;
    pending.value = null;
    picked.value = new Set();
    if (failed.length) ui.toast(`Delete failed for ${failed.join("; ")}`);
    await changed();
  }

  async function uploadInto(parent: string, items: UploadItem[], overwrite = false): Promise<void> {
    if (items.length === 0) return;
    try {
      const landed = await upload(ws.api, project.id, abs(parent), items, overwrite, (p) => (progress.value = p));
      ui.toast(`Uploaded ${landed.length} file${landed.length === 1 ? "" : "s"}.`, "info");
      if (parent) toggle(parent, true);
      for (const f of landed) ws.fileChanged(f.path);
      await changed();
    } catch (e) {
      if (e instanceof ApiError && e.code === "target_exists" && !overwrite) pending.value = { kind: "overwrite", parent, items };
      else ui.toast(`Upload: ${(e as Error).message}`);
    } finally {
      progress.value = null;
    }
  }

  function pickUpload(parent: string, folder: boolean): void {
    uploadTarget.current = parent;
    (folder ? folderInput : fileInput).current?.click();
  }

  function onMenu(action: MenuAction, row: Row | null): void {
    menu.value = null;
    const dirRel = row ? (row.node.type === "directory" ? row.rel : parentRel(row.rel)) : "";
    switch (action) {
      case "open":
        if (row) activate(row);
        break;
      case "context":
        if (row) ws.addContext(abs(row.rel), row.node.type === "directory");
        break;
      case "new-file":
      case "new-folder":
        if (dirRel) toggle(dirRel, true);
        editing.value = { kind: action === "new-file" ? "file" : "folder", parent: dirRel };
        break;
      case "rename":
        if (row) editing.value = { kind: "rename", rel: row.rel };
        break;
      case "download":
        void ws.api.download(project.id, row ? abs(row.rel) : undefined).catch((e: Error) => ui.toast(`Download: ${e.message}`));
        break;
      case "upload":
      case "upload-folder":
        pickUpload(dirRel, action === "upload-folder");
        break;
      case "delete":
        if (row) pending.value = { kind: "delete", row, recursive: false };
        break;
    }
  }

  function openMenuAt(row: Row | null, el: HTMLElement | null, e?: MouseEvent): void {
    const r = el?.getBoundingClientRect();
    menu.value = { x: e?.clientX ?? (r ? r.left + 24 : 40), y: e?.clientY ?? (r ? r.bottom : 40), row };
  }

  function focusRow(rel: string): void {
    selected.value = rel;
    requestAnimationFrame(() => treeEl.current?.querySelector<HTMLElement>(`[data-rel="${CSS.escape(rel)}"]`)?.focus());
  }

  function onTreeKey(e: KeyboardEvent): void {
    if (editing.value || (e.target as HTMLElement).tagName === "INPUT") return;
    const list = rows.value;
    const i = list.findIndex((r) => r.rel === selected.value);
    const row = list[i];
    const go = (j: number) => list[j] && focusRow(list[j].rel);
    switch (e.key) {
      case "ArrowDown":
        go(i < 0 ? 0 : Math.min(list.length - 1, i + 1));
        break;
      case "ArrowUp":
        go(Math.max(0, i - 1));
        break;
      case "Home":
        go(0);
        break;
      case "End":
        go(list.length - 1);
        break;
      case "ArrowRight":
        if (row?.node.type === "directory") {
          if (!expanded.value.has(row.rel)) toggle(row.rel, true);
          else go(i + 1);
        }
        break;
      case "ArrowLeft":
        if (row?.node.type === "directory" && expanded.value.has(row.rel)) toggle(row.rel, false);
        else if (row) focusRow(parentRel(row.rel) || row.rel);
        break;
      case "Enter":
        if (row) activate(row);
        break;
      case "F2":
        if (row) editing.value = { kind: "rename", rel: row.rel };
        break;
      case "Delete":
        if (row) pending.value = { kind: "delete", row, recursive: false };
        break;
      case "ContextMenu":
        if (row) openMenuAt(row, e.target as HTMLElement);
        break;
      default:
        if (e.key === "F10" && e.shiftKey && row) openMenuAt(row, e.target as HTMLElement);
        else return;
    }
    e.preventDefault();
  }

  // Drops: a tree row onto a folder moves it; files from the desktop upload.
  function dragOver(e: DragEvent, targetRel: string): void {
    const types = e.dataTransfer?.types ?? [];
    if (!types.includes(DRAG_TYPE) && !types.includes("Files")) return;
    e.preventDefault();
    e.stopPropagation();
    e.dataTransfer!.dropEffect = types.includes(DRAG_TYPE) ? "move" : "copy";
    dropOn.value = targetRel;
  }
  async function drop(e: DragEvent, targetRel: string): Promise<void> {
    e.preventDefault();
    e.stopPropagation();
    dropOn.value = null;
    const dt = e.dataTransfer;
    if (!dt) return;
    const src = dt.getData(DRAG_TYPE);
    if (src) return moveEntry(src, targetRel);
    if (dt.types.includes("Files")) await uploadInto(targetRel, await fromDataTransfer(dt));
  }

  const list = rows.value;
  const edit = editing.value;
  const p = pending.value;
  return (
    <div
      class={`files-panel${dropOn.value === "" ? " drop-target" : ""}`}
      onDragOver={(e) => dragOver(e, "")}
      onDragLeave={(e) => e.currentTarget === e.target && (dropOn.value = null)}
      onDrop={(e) => void drop(e, "")}
    >
      <div class="ws-toolbar" role="toolbar" aria-label="Files">
        <button type="button" class="icon-btn" title="New file" aria-label="New file" onClick={() => onMenu("new-file", null)}>
          <NewFileIcon />
        </button>
        <button type="button" class="icon-btn" title="New folder" aria-label="New folder" onClick={() => onMenu("new-folder", null)}>
          <NewFolderIcon />
        </button>
        <button type="button" class="icon-btn" title="Upload files" aria-label="Upload files" onClick={() => pickUpload("", false)}>
          <UploadIcon />
        </button>
        <button type="button" class="icon-btn" title="Upload a folder" aria-label="Upload a folder" onClick={() => pickUpload("", true)}>
          <UploadFolderIcon />
        </button>
        <button type="button" class="icon-btn" title="Download the project (.tar.gz)" aria-label="Download the project" onClick={() => onMenu("download", null)}>
          <DownloadIcon />
        </button>
        <span class="ws-spacer" />
        <button type="button" class="icon-btn" title="Collapse all" aria-label="Collapse all" onClick={() => (expanded.value = new Set())}>
          <CollapseIcon />
        </button>
        <button type="button" class="icon-btn" title="Refresh" aria-label="Refresh" onClick={() => void reload()}>
          <RefreshIcon />
        </button>
      </div>
      <input ref={fileInput} type="file" multiple hidden onChange={(e) => onPicked(e.currentTarget)} />
      <input ref={folderInput} type="file" multiple hidden {...{ webkitdirectory: true }} onChange={(e) => onPicked(e.currentTarget)} />
      {progress.value && (
        <p class="ws-progress" role="status">
          {progress.value.phase === "hashing" ? "Checking" : "Uploading"} {progress.value.done}/{progress.value.total}…
        </p>
      )}
      {error.value && (
        <p class="form-error" role="alert">
          {error.value}
        </p>
      )}
      {picked.value.size > 0 && (
        <div class="ws-toolbar tree-picked" role="toolbar" aria-label="Selected files">
          <span>{picked.value.size} selected</span>
          <span class="ws-spacer" />
          <button
            type="button"
            class="btn btn-small"
            onClick={() => {
              for (const rel of picked.value) ws.addContext(abs(rel), findNode(tree.value, rel)?.type === "directory");
              picked.value = new Set();
            }}
          >
            Add as @ context
          </button>
          <button type="button" class="btn btn-danger btn-small" onClick={() => (pending.value = { kind: "delete-many", rels: [...picked.value] })}>
            Delete
          </button>
          <button type="button" class="btn btn-ghost btn-small" onClick={() => (picked.value = new Set())}>
            Clear
          </button>
        </div>
      )}
      <div class="file-tree" role="tree" aria-label="Project files" aria-multiselectable="true" aria-busy={busy.value} ref={treeEl} onKeyDown={onTreeKey}>
        {edit && edit.kind !== "rename" && edit.parent === "" && (
          <InlineName depth={0} kind={edit.kind} onDone={(name) => ((editing.value = null), name && void createEntry(edit.kind, "", name))} />
        )}
        {list.map((row) => {
          const dir = row.node.type === "directory";
          const open = dir && expanded.value.has(row.rel);
          if (edit?.kind === "rename" && edit.rel === row.rel) {
            return (
              <InlineName key={row.rel} depth={row.depth} kind={dir ? "folder" : "file"} initial={row.node.name} onDone={(name) => ((editing.value = null), name && void renameEntry(row.rel, name))} />
            );
          }
          return (
            <>
              <div
                key={row.rel}
                role="treeitem"
                data-rel={row.rel}
                aria-level={row.depth + 1}
                aria-expanded={dir ? open : undefined}
                aria-selected={selected.value === row.rel || picked.value.has(row.rel)}
                tabIndex={selected.value === row.rel || (!selected.value && row === list[0]) ? 0 : -1}
                class={`tree-row${dropOn.value === row.rel ? " drop-target" : ""}`}
                style={{ paddingLeft: `${8 + row.depth * 14}px` }}
                draggable
                title={row.rel}
                onClick={(e) => {
                  if (e.ctrlKey || e.metaKey) {
                    const next = new Set(picked.value);
                    if (next.has(row.rel)) next.delete(row.rel);
                    else next.add(row.rel);
                    picked.value = next;
                    selected.value = row.rel;
                    return;
                  }
                  picked.value = new Set();
                  activate(row);
                }}
                onFocus={() => (selected.value = row.rel)}
                onContextMenu={(e) => {
                  e.preventDefault();
                  selected.value = row.rel;
                  openMenuAt(row, e.currentTarget as HTMLElement, e);
                }}
                onDragStart={(e) => {
                  e.dataTransfer?.setData(DRAG_TYPE, abs(row.rel));
                  e.dataTransfer!.effectAllowed = "move";
                }}
                onDragOver={dir ? (e) => dragOver(e, row.rel) : undefined}
                onDragLeave={dir ? () => dropOn.value === row.rel && (dropOn.value = null) : undefined}
                onDrop={dir ? (e) => void drop(e, row.rel) : undefined}
              >
                <span class="tree-twisty" aria-hidden="true">
                  {dir ? (open ? "▾" : "▸") : ""}
                </span>
                <span class={`tree-icon ${dir ? "is-dir" : "is-file"}`} aria-hidden="true" />
                <span class={`tree-name${gitClass(ws.gitKinds.value.get(row.rel))}`}>{row.node.name}</span>
                {dir && changedDirs.value.has(row.rel) && <span class="tree-changed" title="Holds changed files" />}
                {row.node.truncated && <span class="pill" title="Not listed: too deep, unreadable or a link loop">…</span>}
                <button
                  type="button"
                  class="icon-btn tree-more"
                  tabIndex={-1}
                  aria-label={`Actions for ${row.node.name}`}
                  onClick={(e) => {
                    e.stopPropagation();
                    selected.value = row.rel;
                    openMenuAt(row, e.currentTarget as HTMLElement);
                  }}
                >
                  ⋯
                </button>
              </div>
              {edit && edit.kind !== "rename" && dir && edit.parent === row.rel && (
                <InlineName depth={row.depth + 1} kind={edit.kind} onDone={(name) => ((editing.value = null), name && void createEntry(edit.kind, row.rel, name))} />
              )}
            </>
          );
        })}
        {tree.value && list.length === 0 && !edit && <p class="muted ws-note">This project is empty. Drop files here to upload them.</p>}
      </div>
      {menu.value && <FileMenu x={menu.value.x} y={menu.value.y} row={menu.value.row} onPick={(a) => onMenu(a, menu.value!.row)} onClose={() => (menu.value = null)} />}
      {p?.kind === "delete" && (
        <ConfirmDialog
          title={p.recursive ? "Delete the folder and its content?" : `Delete ${p.row.node.name}?`}
          message={
            p.recursive ? (
              <p>
                <code>{p.row.rel}</code> is not empty. Everything in it will be deleted. This cannot be undone.
              </p>
            ) : (
              <p>
                <code>{p.row.rel}</code> will be deleted. This cannot be undone.
              </p>
            )
          }
          confirmLabel={p.recursive ? "Delete everything" : "Delete"}
          danger
          busy={busy.value}
          onConfirm={() => void deleteEntry(p.row, p.recursive)}
          onCancel={() => (pending.value = null)}
        />
      )}
      {p?.kind === "delete-many" && (
        <ConfirmDialog
          title={`Delete ${p.rels.length} items?`}
          message={
            <>
              <p>These will be deleted, folders with everything in them. This cannot be undone.</p>
              <ul class="pick-list">
                {p.rels.slice(0, 12).map((r) => (
                  <li key={r}>
                    <code>{r}</code>
                  </li>
                ))}
                {p.rels.length > 12 && <li>and {p.rels.length - 12} more</li>}
              </ul>
            </>
          }
          confirmLabel="Delete all"
          danger
          busy={busy.value}
          onConfirm={() => void deleteMany(p.rels)}
          onCancel={() => (pending.value = null)}
        />
      )}
      {p?.kind === "overwrite" && (
        <ConfirmDialog
          title="Replace existing files?"
          message={<p>Some of the files already exist in {p.parent || "the project root"}. Replace them?</p>}
          confirmLabel="Replace"
          danger
          onConfirm={() => {
            pending.value = null;
            void uploadInto(p.parent, p.items, true);
          }}
          onCancel={() => (pending.value = null)}
        />
      )}
    </div>
  );

  function onPicked(input: HTMLInputElement): void {
    const items = input.files ? fromFileList(input.files) : [];
    input.value = "";
    void uploadInto(uploadTarget.current, items);
  }
}

/** gitClass colours a file by its git status (the reference's tree had none). */
function gitClass(kind: string | undefined): string {
  return kind ? ` git-${kind}` : "";
}

function exists(root: TreeNode | null, rel: string): boolean {
  return findNode(root, rel) !== null;
}

function findNode(root: TreeNode | null, rel: string): TreeNode | null {
  let nodes = root?.children;
  const parts = rel.split("/");
  for (let i = 0; i < parts.length; i++) {
    const n = nodes?.find((c) => c.name === parts[i]);
    if (!n) return null;
    if (i === parts.length - 1) return n;
    nodes = n.children;
  }
  return null;
}

const EXPANDED_KEY = "pi-forge/tree-expanded/";

function loadExpanded(projectId: string): Set<string> {
  try {
    const v = JSON.parse(sessionStorage.getItem(EXPANDED_KEY + projectId) ?? "[]") as unknown;
    return new Set(Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  } catch {
    return new Set();
  }
}

function saveExpanded(projectId: string, s: Set<string>): void {
  try {
    sessionStorage.setItem(EXPANDED_KEY + projectId, JSON.stringify([...s]));
  } catch {
    // not remembered
  }
}
