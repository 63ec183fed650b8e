import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { applyServerTheme, applyTheme, SERVER_THEME_KEY, SERVER_THEME_VARS, THEMES } from "../src/theme/themes";

const bootSrc = readFileSync(resolve(process.cwd(), "src/boot/theme-boot.js"), "utf8");
const css = readFileSync(resolve(process.cwd(), "src/styles/themes.css"), "utf8");

function runBoot(): void {
  new Function(bootSrc)();
}

describe("themes", () => {
  beforeEach(() => {
    localStorage.clear();
    document.documentElement.removeAttribute("style");
    document.documentElement.removeAttribute("data-server-theme");
    document.head.innerHTML = '<meta name="theme-color" content="">';
  });

  it("the boot script knows the same themes and bar colours as the app", () => {
    for (const t of THEMES) {
      localStorage.setItem("pi-forge/theme", t.id);
      runBoot();
      expect(document.documentElement.getAttribute("data-theme")).toBe(t.id);
      expect(document.querySelector("meta[name=theme-color]")!.getAttribute("content")).toBe(t.barColor);
      expect(css).toContain(`[data-theme="${t.id}"]`);
    }
  });

  it("the boot script falls back to dark for an unknown theme", () => {
    localStorage.setItem("pi-forge/theme", "neon");
    runBoot();
    expect(document.documentElement.getAttribute("data-theme")).toBe("dark");
  });

  it("applyTheme switches and remembers the theme", () => {
    applyTheme("dracula");
    expect(document.documentElement.getAttribute("data-theme")).toBe("dracula");
    expect(localStorage.getItem("pi-forge/theme")).toBe("dracula");
    expect(document.querySelector("meta[name=theme-color]")!.getAttribute("content")).toBe("#282a36");
  });

  it("the server theme sets CSS variables, is cached for the next boot, and clears", () => {
    applyServerTheme({ enabled: true, colors: { appBackground: "#101010", primaryText: "#eeeeee", mutedText: "bad" } });
    const root = document.documentElement;
    expect(root.style.getPropertyValue("--bg")).toBe("#101010");
    expect(root.style.getPropertyValue("--muted")).toBe("");
    expect(JSON.parse(localStorage.getItem(SERVER_THEME_KEY)!).enabled).toBe(true);

    root.removeAttribute("style");
    runBoot();
    expect(root.style.getPropertyValue("--text")).toBe("#eeeeee");
    expect(root.getAttribute("data-server-theme")).toBe("on");

    applyServerTheme({ enabled: false, colors: {} });
    expect(root.style.getPropertyValue("--bg")).toBe("");
    expect(localStorage.getItem(SERVER_THEME_KEY)).toBeNull();
    expect(Object.values(SERVER_THEME_VARS).every((v) => css.includes(v))).toBe(true);
  });
});
