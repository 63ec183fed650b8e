// memo skips re-rendering a component whose props are shallow-equal: the same
// job as preact/compat's memo, without pulling the React compatibility layer.
import { Component, h, type FunctionComponent } from "preact";

export function shallowEqual(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  for (const k in a) if (k !== "children" && a[k] !== b[k]) return false;
  for (const k in b) if (!(k in a)) return false;
  return a.children === b.children;
}

export function memo<P extends object>(fn: FunctionComponent<P>): FunctionComponent<P> {
  class Memo extends Component<P> {
    override shouldComponentUpdate(next: P): boolean {
      return !shallowEqual(this.props as Record<string, unknown>, next as Record<string, unknown>);
    }
    override render(props: P) {
      return h(fn, props);
    }
  }
  (Memo as unknown as { displayName: string }).displayName = `Memo(${fn.displayName ?? fn.name})`;
  return Memo as unknown as FunctionComponent<P>;
}
