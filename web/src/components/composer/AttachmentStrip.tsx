import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { FileIcon, PaperclipIcon } from "../common/icons";
import { admit, formatBytes, type Attachment } from "./attachments";

/** useAttachments keeps the files attached to the draft, with image previews, within the server's limits. */
export function useAttachments(onRefused: (msg: string) => void) {
  const list = useSignal<Attachment[]>([]);
  const nextId = useRef(1);

  useEffect(() => () => list.value.forEach(revoke), []);

  function add(files: File[]): void {
    const { add: ok, refused } = admit(list.value, files);
    refused.forEach(onRefused);
    if (ok.length === 0) return;
    list.value = [...list.value, ...ok.map(({ file, kind }) => ({ id: nextId.current++, file, kind, previewUrl: kind === "image" ? objectUrl(file) : undefined }))];
  }
  function remove(id: number): void {
    const gone = list.value.find((a) => a.id === id);
    if (gone) revoke(gone);
    list.value = list.value.filter((a) => a.id !== id);
  }
  /** take empties the strip and hands over the files (their previews stay valid for the sent message). */
  function take(): Attachment[] {
    const all = list.value;
    list.value = [];
    return all;
  }
  function restore(items: Attachment[]): void {
    list.value = [...items, ...list.value];
  }
  return { list, add, remove, take, restore };
}

function objectUrl(f: File): string | undefined {
  try {
    return URL.createObjectURL(f);
  } catch {
    return undefined;
  }
}

function revoke(a: Attachment): void {
  if (a.previewUrl) URL.revokeObjectURL(a.previewUrl);
}

/** AttachmentStrip previews the attached files above the composer, each removable. */
export function AttachmentStrip({ items, onRemove }: { items: Attachment[]; onRemove?: (id: number) => void }) {
  if (items.length === 0) return null;
  return (
    <ul class="attachments" aria-label="Attachments">
      {items.map((a) => (
        <li key={a.id} class={`attachment attachment-${a.kind}`}>
          {a.previewUrl ? <img src={a.previewUrl} alt="" /> : <FileIcon />}
          <span class="attachment-name" title={a.file.name}>
            {a.file.name}
          </span>
          <span class="muted attachment-size">{formatBytes(a.file.size)}</span>
          {onRemove && (
            <button type="button" class="icon-btn" aria-label={`Remove ${a.file.name}`} onClick={() => onRemove(a.id)}>
              ×
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

/** AttachButton opens the file picker (on phones the picker offers camera and gallery too). */
export function AttachButton({ onFiles, disabled }: { onFiles: (files: File[]) => void; disabled?: boolean }) {
  const key = useSignal(0);
  return (
    <label class={`icon-btn attach-btn${disabled ? " disabled" : ""}`} title="Attach files (or paste, or drop them here)">
      <PaperclipIcon />
      <span class="sr-only">Attach files</span>
      <input
        key={key.value}
        type="file"
        multiple
        class="sr-only"
        disabled={disabled}
        onChange={(e) => {
          const files = [...(e.currentTarget.files ?? [])];
          key.value++; // a fresh input, so picking the same file again still fires
          if (files.length > 0) onFiles(files);
        }}
      />
    </label>
  );
}
