// Uploads: files picked or dropped (folders included) are hashed with
// SHA-256 while they are read in slices (hash-wasm works without a secure
// context, unlike SubtleCrypto, and never holds a whole file in memory), then
// sent as one multipart request per batch: fields first, as the server
// requires, then the files.

import { createSHA256 } from "hash-wasm";
import type { UploadedFile, WorkspaceApi } from "../api";

export interface UploadItem {
  file: File;
  /** Path relative to the target folder, "/"-separated ("a.txt", "dir/sub/b.txt"). */
  rel: string;
}

/** The server's limits per request (features §13): keep well inside them. */
const BATCH_FILES = 200;
const BATCH_BYTES = 1 << 30;

/** sha256Hex hashes a file in 4 MiB slices, so a large upload never sits in memory whole. */
export async function sha256Hex(file: Blob): Promise<string> {
  const h = await createSHA256();
  h.init();
  for (let at = 0; at < file.size; at += HASH_CHUNK) {
    h.update(new Uint8Array(await readSlice(file.slice(at, at + HASH_CHUNK))));
  }
  return h.digest("hex");
}

const HASH_CHUNK = 4 << 20;

function readSlice(b: Blob): Promise<ArrayBuffer> {
  if (typeof b.arrayBuffer === "function") return b.arrayBuffer();
  return new Promise((res, rej) => {
    const r = new FileReader();
    r.onload = () => res(r.result as ArrayBuffer);
    r.onerror = () => rej(r.error);
    r.readAsArrayBuffer(b);
  });
}

/** fromFileList turns an <input type=file> selection into items (webkitRelativePath for folder pickers). */
export function fromFileList(list: FileList | File[]): UploadItem[] {
  return [...list].map((file) => ({ file, rel: (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name }));
}

/** fromDataTransfer collects dropped files and whole dropped folders. */
export async function fromDataTransfer(dt: DataTransfer): Promise<UploadItem[]> {
  const entries = [...dt.items]
    .filter((i) => i.kind === "file")
    .map((i) => (i as DataTransferItem & { webkitGetAsEntry?: () => FileSystemEntry | null }).webkitGetAsEntry?.() ?? null);
  if (entries.length === 0 || entries.some((e) => e === null)) return fromFileList(dt.files);
  const out: UploadItem[] = [];
  for (const e of entries) await walk(e!, "", out);
  return out;
}

async function walk(entry: FileSystemEntry, prefix: string, out: UploadItem[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
    out.push({ file, rel: prefix + entry.name });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  for (;;) {
    // readEntries hands out a directory in pages until it returns none.
    const page = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
    if (page.length === 0) break;
    for (const child of page) await walk(child, `${prefix}${entry.name}/`, out);
  }
}

export interface UploadProgress {
  done: number;
  total: number;
  phase: "hashing" | "sending";
}

/** upload sends items into parentPath (absolute) in batches; it returns what landed. */
export async function upload(
  api: WorkspaceApi,
  projectId: string,
  parentPath: string,
  items: UploadItem[],
  overwrite: boolean,
  onProgress?: (p: UploadProgress) => void,
): Promise<UploadedFile[]> {
  const landed: UploadedFile[] = [];
  let done = 0;
  for (const batch of batches(items)) {
    const sums: string[] = [];
    for (const it of batch) {
      onProgress?.({ done, total: items.length, phase: "hashing" });
      sums.push(await sha256Hex(it.file));
    }
    onProgress?.({ done, total: items.length, phase: "sending" });
    const form = new FormData();
    form.append("projectId", projectId);
    form.append("parentPath", parentPath);
    if (overwrite) form.append("overwrite", "1");
    batch.forEach((it, i) => {
      if (it.rel !== it.file.name) form.append(`path:${i}`, it.rel);
      form.append(`sha256:${i}`, sums[i]);
    });
    batch.forEach((it, i) => form.append(`file:${i}`, it.file, it.file.name));
    const res = await api.upload(form);
    landed.push(...res.files);
    done += batch.length;
  }
  onProgress?.({ done, total: items.length, phase: "sending" });
  return landed;
}

function* batches(items: UploadItem[]): Generator<UploadItem[]> {
  let cur: UploadItem[] = [];
  let bytes = 0;
  for (const it of items) {
    if (cur.length > 0 && (cur.length >= BATCH_FILES || bytes + it.file.size > BATCH_BYTES)) {
      yield cur;
      cur = [];
      bytes = 0;
    }
    cur.push(it);
    bytes += it.file.size;
  }
  if (cur.length > 0) yield cur;
}
