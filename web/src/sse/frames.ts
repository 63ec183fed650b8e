// An incremental parser for text/event-stream. Bytes arrive in arbitrary
// chunks (a multi-byte character or a CRLF may be split between two reads), so
// decoding and line splitting both keep state across push() calls.

export type SseFrame =
  | { kind: "event"; id?: string; event?: string; data: string }
  | { kind: "comment"; text: string };

export class SseParser {
  private decoder = new TextDecoder("utf-8");
  private buf = "";
  private skipLF = false; // the last chunk ended in CR; a leading LF belongs to it
  private data: string[] = [];
  private id: string | undefined;
  private event: string | undefined;
  private hasField = false;

  /** push feeds raw bytes (or already decoded text) and returns every frame completed by them. */
  push(chunk: Uint8Array | string): SseFrame[] {
    let text = typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    if (this.skipLF && text.startsWith("\n")) text = text.slice(1);
    this.skipLF = false;
    this.buf += text;
    const out: SseFrame[] = [];
    let start = 0;
    for (let i = 0; i < this.buf.length; i++) {
      const c = this.buf.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buf.slice(start, i), out);
      if (c === 13) {
        if (i + 1 < this.buf.length) {
          if (this.buf.charCodeAt(i + 1) === 10) i++;
        } else {
          this.skipLF = true;
        }
      }
      start = i + 1;
    }
    this.buf = this.buf.slice(start);
    return out;
  }

  private line(line: string, out: SseFrame[]): void {
    if (line === "") {
      if (this.hasField && this.data.length > 0) {
        const f: SseFrame = { kind: "event", data: this.data.join("\n") };
        if (this.id !== undefined) f.id = this.id;
        if (this.event !== undefined) f.event = this.event;
        out.push(f);
      }
      this.data = [];
      this.id = undefined;
      this.event = undefined;
      this.hasField = false;
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) {
      out.push({ kind: "comment", text: line.slice(1).trimStart() });
      return;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    this.hasField = true;
    if (field === "data") this.data.push(value);
    else if (field === "id") {
      if (!value.includes("\0")) this.id = value;
    } else if (field === "event") this.event = value;
    // "retry" and unknown fields are ignored: the client owns its backoff.
  }
}
