import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";

/**
 * Lazy renders a component from a chunk loaded on first use (settings, the
 * session tree, later the editor and terminal), so it costs nothing at start.
 */
export function Lazy<P extends object>({ load, props, fallback }: { load: () => Promise<ComponentType<P>>; props: P; fallback?: preact.ComponentChildren }) {
  const [Comp, setComp] = useState<ComponentType<P> | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    load().then(
      (c) => live && setComp(() => c),
      (e: Error) => live && setFailed(e.message),
    );
    return () => {
      live = false;
    };
  }, [load]);
  if (failed)
    return (
      <p class="form-error" role="alert">
        Could not load this part of the app ({failed}). Reload the page to try again.
      </p>
    );
  return Comp ? <Comp {...props} /> : <>{fallback ?? null}</>;
}
