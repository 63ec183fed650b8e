import { describe, expect, it } from "vitest";
import { renderMarkdown, sanitizeHtml, splitStable } from "../src/markdown/render";

function dom(html: string): HTMLElement {
  const el = document.createElement("div");
  el.innerHTML = html;
  return el;
}

describe("markdown sanitising", () => {
  const attacks = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    '<svg onload="alert(1)"><circle /></svg>',
    '<div onclick="alert(1)" onmouseover="alert(2)">hover</div>',
    '<iframe src="https://evil.example"></iframe>',
  ];

  it.each(attacks)("strips scripts, handlers and javascript: URLs from %s", (src) => {
    for (const opts of [{}, { math: true }, { breaks: true }]) {
      const el = dom(renderMarkdown(src, opts));
      expect(el.querySelector("script, iframe")).toBeNull();
      for (const node of el.querySelectorAll("*")) {
        for (const attr of node.attributes) {
          expect(attr.name.startsWith("on")).toBe(false);
          expect(attr.value.toLowerCase()).not.toContain("javascript:");
        }
      }
    }
  });

  it("shows raw HTML as text rather than markup", () => {
    const el = dom(renderMarkdown("<b>bold?</b>"));
    expect(el.querySelector("b")).toBeNull();
    expect(el.textContent).toContain("<b>bold?</b>");
  });

  it("sanitises operator HTML for the login banner but keeps harmless markup", () => {
    const el = dom(sanitizeHtml('<p>Welcome <strong>team</strong><script>x()</script><img src="a.png" onerror="x()"></p>'));
    expect(el.querySelector("strong")?.textContent).toBe("team");
    expect(el.querySelector("script")).toBeNull();
    expect(el.querySelector("img")?.getAttribute("onerror")).toBeNull();
  });

  it("opens links in a new tab without an opener", () => {
    const a = dom(renderMarkdown("[pi](https://example.com)")).querySelector("a")!;
    expect(a.getAttribute("target")).toBe("_blank");
    expect(a.getAttribute("rel")).toBe("noopener noreferrer");
  });
});

describe("markdown rendering", () => {
  it("renders GFM tables in a scroll box, task lists and strikethrough", () => {
    const el = dom(renderMarkdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~gone~~"));
    expect(el.querySelector(".table-wrap table td")?.textContent).toBe("1");
    const boxes = el.querySelectorAll("input[type=checkbox]");
    expect(boxes).toHaveLength(2);
    expect((boxes[0] as HTMLInputElement).disabled).toBe(true);
    expect(el.querySelector("del")?.textContent).toBe("gone");
  });

  it("renders fenced code with its language, escaped, and a copy button", () => {
    const el = dom(renderMarkdown("```go\nfmt.Println(\"<hi>\")\n```"));
    const code = el.querySelector(".code-block pre code.language-go")!;
    expect(code.textContent).toBe('fmt.Println("<hi>")\n'.trimEnd());
    expect(el.querySelector("button.copy-code")).not.toBeNull();
  });

  it("keeps math for the lazy typesetter in assistant text only, and leaves money alone", () => {
    const el = dom(renderMarkdown("Euler: $e^{i\\pi}+1=0$ costs $5 and $10.\n\n$$\\int_0^1 x\\,dx$$", { math: true }));
    const tex = [...el.querySelectorAll("[data-tex]")].map((n) => n.getAttribute("data-tex"));
    expect(tex).toEqual(["e^{i\\pi}+1=0", "\\int_0^1 x\\,dx"]);
    expect(dom(renderMarkdown("$x$", { breaks: true })).querySelector("[data-tex]")).toBeNull();
  });

  it("keeps single newlines as breaks in user text", () => {
    expect(dom(renderMarkdown("a\nb", { breaks: true })).querySelector("br")).not.toBeNull();
    expect(dom(renderMarkdown("a\nb", { math: true })).querySelector("br")).toBeNull();
  });
});

describe("splitStable", () => {
  it("cuts finished paragraphs off and keeps the growing tail", () => {
    expect(splitStable("one\n\ntwo\n\nthr")).toEqual({ stable: ["one\n\n", "two\n\n"], tail: "thr" });
  });

  it("never cuts inside a code fence", () => {
    const text = "```\na\n\nb\n```\n\nafter";
    expect(splitStable(text)).toEqual({ stable: ["```\na\n\nb\n```\n\n"], tail: "after" });
  });

  it("keeps a loose list together", () => {
    expect(splitStable("- a\n\n- b\n\ntail").stable).toEqual(["- a\n\n- b\n\n"]);
  });

  it("puts the pieces back together unchanged", () => {
    const text = "# T\n\npara\n\n```js\nx\n\ny\n```\n\n- a\n\n- b\n\nend";
    const { stable, tail } = splitStable(text);
    expect(stable.join("") + tail).toBe(text);
  });
});
