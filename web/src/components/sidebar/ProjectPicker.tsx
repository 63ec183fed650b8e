import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { useApp } from "../../app/context";
import type { BrowseResult } from "../../api/types";
import { Modal } from "../common/Modal";
import { FolderIcon } from "../common/icons";

/**
 * ProjectPicker creates a project: a name and a folder picked by browsing the
 * workspace (with "New folder"). Under MINIMAL_UI it just makes <root>/<name>.
 */
export function ProjectPicker({ onClose }: { onClose: () => void }) {
  const { api, projects, auth, ui } = useApp();
  const minimal = !!auth.uiConfig.value?.minimal;
  const name = useSignal("");
  const dir = useSignal<BrowseResult | null>(null);
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const newFolder = useSignal<string | null>(null);

  async function browse(path?: string) {
    error.value = null;
    try {
      dir.value = await api.browse(path);
    } catch (e) {
      error.value = (e as Error).message;
    }
  }

  useEffect(() => {
    if (!minimal) void browse();
  }, []);

  async function create(path: string) {
    const n = name.value.trim() || path.split("/").filter(Boolean).pop() || "";
    if (!n) {
      error.value = "Give the project a name.";
      return;
    }
    busy.value = true;
    error.value = null;
    try {
      const p = await projects.create(n, path);
      ui.openSession(p.id, null);
      onClose();
    } catch (e) {
      error.value = (e as Error).message;
    } finally {
      busy.value = false;
    }
  }

  async function createMinimal(e: Event) {
    e.preventDefault();
    const root = auth.uiConfig.value?.workspaceRoot ?? "";
    const n = name.value.trim();
    if (!n) return;
    busy.value = true;
    try {
      const { path } = await api.mkdir(root, n).catch(async (err) => {
        if ((err as { code?: string }).code === "already_exists") return { path: `${root.replace(/\/$/, "")}/${n}` };
        throw err;
      });
      busy.value = false;
      await create(path);
    } catch (err) {
      error.value = (err as Error).message;
      busy.value = false;
    }
  }

  async function makeFolder(e: Event) {
    e.preventDefault();
    const cur = dir.value;
    const n = newFolder.value?.trim();
    if (!cur || !n) return;
    try {
      const { path } = await api.mkdir(cur.path, n);
      newFolder.value = null;
      await browse(path);
    } catch (err) {
      error.value = (err as Error).message;
    }
  }

  const cur = dir.value;
  const atRoot = cur?.parentPath === null;
  return (
    <Modal title="New project" onClose={onClose} wide={!minimal}>
      <form class="picker" onSubmit={minimal ? createMinimal : (e) => (e.preventDefault(), cur && !atRoot && create(cur.path))}>
        <label>
          Name
          <input value={name.value} onInput={(e) => (name.value = e.currentTarget.value)} maxLength={200} placeholder="my-project" autofocus />
        </label>
        {!minimal && (
          <div class="folder-browser">
            <div class="browser-bar">
              <button type="button" class="btn btn-small" disabled={!cur || atRoot} onClick={() => cur?.parentPath && browse(cur.parentPath)} aria-label="Up one folder">
                ↑ Up
              </button>
              <code class="browser-path" title={cur?.path}>
                {cur?.path ?? "…"}
              </code>
              <button type="button" class="btn btn-small" onClick={() => (newFolder.value = "")}>
                + New folder
              </button>
            </div>
            {newFolder.value !== null && (
              <div class="new-folder">
                <input
                  aria-label="New folder name"
                  value={newFolder.value}
                  onInput={(e) => (newFolder.value = e.currentTarget.value)}
                  onKeyDown={(e) => {
                    if (e.key === "Enter") void makeFolder(e);
                    if (e.key === "Escape") {
                      e.stopPropagation();
                      newFolder.value = null;
                    }
                  }}
                  autofocus
                />
                <button type="button" class="btn btn-small" onClick={makeFolder}>
                  Create
                </button>
              </div>
            )}
            <ul class="folder-list" role="list" aria-label="Folders">
              {cur?.entries.length === 0 && <li class="empty-note">No folders here.</li>}
              {cur?.entries.map((e) => (
                <li key={e.path}>
                  <button type="button" class="folder" onClick={() => browse(e.path)}>
                    <FolderIcon /> {e.name}
                    {e.isGitRepo && <span class="pill">git</span>}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
        {error.value && (
          <p class="form-error" role="alert">
            {error.value}
          </p>
        )}
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy.value || (!minimal && (!cur || atRoot)) || (minimal && !name.value.trim())}>
            {minimal ? "Create project" : atRoot ? "Pick a folder inside the workspace" : "Use this folder"}
          </button>
        </div>
      </form>
    </Modal>
  );
}
