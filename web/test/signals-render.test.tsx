import { signal } from "@preact/signals";
import { render } from "preact";
import { expect, it } from "vitest";

it("components re-render when a signal they read changes", async () => {
  const count = signal(0);
  function View() {
    return <p>{`n=${count.value}`}</p>;
  }
  const root = document.createElement("div");
  render(<View />, root);
  expect(root.textContent).toBe("n=0");
  count.value = 1;
  await new Promise((r) => setTimeout(r, 20));
  expect(root.textContent).toBe("n=1");
});
