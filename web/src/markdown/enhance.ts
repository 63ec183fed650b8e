// Work done on rendered markdown after it is in the page, each loaded only when
// needed: syntax highlighting (highlight.js core and common languages) and math
// (KaTeX with its CSS and fonts). Both are separate lazy chunks.

let hl: Promise<typeof import("./highlight-lazy")> | null = null;
let katex: Promise<typeof import("./katex-lazy")> | null = null;

/** enhance highlights code and typesets math inside root; safe to call repeatedly. */
export function enhance(root: HTMLElement): void {
  const code = root.querySelectorAll<HTMLElement>("pre code[class*='language-']:not([data-hl])");
  if (code.length > 0) {
    hl ??= import("./highlight-lazy");
    void hl.then((m) => code.forEach((el) => m.highlight(el))).catch(() => undefined);
  }
  const math = root.querySelectorAll<HTMLElement>("[data-tex]:not([data-typeset])");
  if (math.length > 0) {
    katex ??= import("./katex-lazy");
    void katex.then((m) => math.forEach((el) => m.typeset(el))).catch(() => undefined);
  }
}

/** copyText writes to the clipboard, with a fallback for insecure origins. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.position = "fixed";
    ta.style.opacity = "0";
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand("copy");
    ta.remove();
    return ok;
  }
}

/**
 * onCodeCopyClick handles clicks on the copy buttons that rendered code blocks
 * carry (one delegated listener; rendered HTML holds no handlers).
 */
export function onCodeCopyClick(e: MouseEvent): void {
  const btn = (e.target as HTMLElement | null)?.closest?.("button.copy-code");
  if (!btn) return;
  const code = btn.parentElement?.querySelector("code");
  if (!code) return;
  void copyText(code.textContent ?? "").then((ok) => {
    btn.textContent = ok ? "Copied" : "Failed";
    setTimeout(() => (btn.textContent = "Copy"), 1200);
  });
}
