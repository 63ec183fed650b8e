import { describe, expect, it } from "vitest";
import { followVisualViewport } from "../src/app/viewport";

describe("visual viewport", () => {
  it("pins the app to the visible area when the keyboard shrinks it, and stops when told", () => {
    const vv = Object.assign(new EventTarget(), { height: 844, offsetTop: 0 });
    const frames: Array<() => void> = [];
    const win = {
      visualViewport: vv,
      document,
      requestAnimationFrame: (fn: () => void) => frames.push(fn),
      cancelAnimationFrame: () => undefined,
    } as unknown as Window;
    const stop = followVisualViewport(win);
    const css = (k: string) => document.documentElement.style.getPropertyValue(k);
    expect([css("--vvh"), css("--vv-top")]).toEqual(["844px", "0px"]);
    // The keyboard opens: Safari shrinks the visual viewport and scrolls it.
    vv.height = 500;
    vv.offsetTop = 120;
    vv.dispatchEvent(new Event("resize"));
    vv.dispatchEvent(new Event("scroll"));
    expect(frames).toHaveLength(1); // one update a frame, however many events
    frames.shift()!();
    expect([css("--vvh"), css("--vv-top")]).toEqual(["500px", "120px"]);
    stop();
    vv.height = 844;
    vv.dispatchEvent(new Event("resize"));
    expect(frames).toHaveLength(0);
  });
});
