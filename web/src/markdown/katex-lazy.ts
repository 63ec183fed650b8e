// The math chunk: KaTeX and its stylesheet (woff2 fonts only), loaded the first
// time a message holds math.
import katex from "katex";
import "katex/dist/katex.min.css";

export function typeset(el: HTMLElement): void {
  el.setAttribute("data-typeset", "1");
  const tex = el.getAttribute("data-tex") ?? "";
  const display = el.classList.contains("math-block") || el.classList.contains("math-display");
  katex.render(tex, el, { displayMode: display, throwOnError: false, trust: false, strict: "ignore" });
}
