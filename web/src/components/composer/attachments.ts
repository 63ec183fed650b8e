// Attachments for a prompt: what kind each file is, and the server's limits
// (features 12.11): at most 4 images and 4 text or document files, 20 MiB
// each, sent as multipart with the prompt. Known binary formats are refused
// here rather than after the upload.

export const MAX_IMAGES = 4;
export const MAX_TEXT_FILES = 4;
export const MAX_BYTES = 20 * 1024 * 1024;
/** The multipart parser takes at most 6 files per request. */
export const MAX_FILES = 6;

const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
const DOCUMENT_EXT = /\.(pdf|docx|xlsx)$/i;
const BINARY_EXT =
  /\.(zip|gz|tgz|bz2|xz|7z|rar|tar|jar|war|exe|dll|so|dylib|bin|o|a|class|pyc|wasm|iso|dmg|img|mp3|mp4|m4a|mov|avi|mkv|webm|wav|flac|ogg|ttf|otf|woff2?|eot|psd|ai|sqlite|db|doc|xls|ppt|pptx|odt|ods|heic|bmp|tiff?|ico)$/i;

export type AttachmentKind = "image" | "text";

export interface Attachment {
  id: number;
  file: File;
  kind: AttachmentKind;
  /** An object URL for image previews (revoked when removed). */
  previewUrl?: string;
}

export function kindOf(file: File): AttachmentKind | null {
  if (IMAGE_TYPES.has(file.type)) return "image";
  if (file.type.startsWith("image/") && !/svg/.test(file.type)) return null; // other images: the model cannot take them
  if (DOCUMENT_EXT.test(file.name)) return "text";
  if (BINARY_EXT.test(file.name)) return null;
  if (/^(audio|video|font)\//.test(file.type)) return null;
  return "text";
}

/**
 * admit checks new files against what is attached already. It returns the
 * files to add, with their kind, and one message per file refused.
 */
export function admit(current: ReadonlyArray<Pick<Attachment, "kind">>, files: File[]): { add: Array<{ file: File; kind: AttachmentKind }>; refused: string[] } {
  let images = current.filter((a) => a.kind === "image").length;
  let texts = current.length - images;
  const add: Array<{ file: File; kind: AttachmentKind }> = [];
  const refused: string[] = [];
  for (const file of files) {
    const name = file.name || "pasted file";
    const kind = kindOf(file);
    if (!kind) refused.push(`${name}: the agent cannot read this file type.`);
    else if (file.size > MAX_BYTES) refused.push(`${name}: larger than 20 MB.`);
    else if (images + texts >= MAX_FILES) refused.push(`${name}: at most ${MAX_FILES} attachments per message.`);
    else if (kind === "image" && images >= MAX_IMAGES) refused.push(`${name}: at most ${MAX_IMAGES} images per message.`);
    else if (kind === "text" && texts >= MAX_TEXT_FILES) refused.push(`${name}: at most ${MAX_TEXT_FILES} text files per message.`);
    else {
      add.push({ file, kind });
      if (kind === "image") images++;
      else texts++;
    }
  }
  return { add, refused };
}

/** pastedName gives a clipboard image a name the server can show. */
export function pastedName(file: File, n: number): File {
  if (file.name && file.name !== "image.png") return file;
  const ext = (file.type.split("/")[1] || "png").replace("jpeg", "jpg");
  return new File([file], `pasted-${n}.${ext}`, { type: file.type });
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** parseBang reads `!cmd` (output goes into the context) and `!!cmd` (kept out of it). */
export function parseBang(text: string): { command: string; excludeFromContext: boolean } | null {
  const m = /^(!!?)([\s\S]*)$/.exec(text.trim());
  if (!m) return null;
  const command = m[2].trim();
  if (!command) return null;
  return { command, excludeFromContext: m[1] === "!!" };
}
