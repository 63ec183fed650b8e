import { memo } from "../common/memo";
import { useLayoutEffect, useMemo, useRef } from "preact/hooks";
import { enhance } from "../../markdown/enhance";
import { renderMarkdown, splitStable, type RenderOptions } from "../../markdown/render";

interface Props extends RenderOptions {
  text: string;
}

/** Markdown renders sanitised chat markdown, then highlights code and typesets math lazily. */
export const Markdown = memo(function Markdown({ text, math, breaks }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const html = useMemo(() => renderMarkdown(text, { math, breaks }), [text, math, breaks]);
  useLayoutEffect(() => {
    if (ref.current) enhance(ref.current);
  }, [html]);
  return <div class="md" ref={ref} dangerouslySetInnerHTML={{ __html: html }} />;
});

/**
 * StreamingMarkdown renders text that is still growing: finished blocks render
 * once each; only the growing tail re-renders on a delta.
 */
export function StreamingMarkdown({ text }: { text: string }) {
  const { stable, tail } = splitStable(text);
  return (
    <div class="md-stream">
      {stable.map((block, i) => (
        <Markdown key={i} text={block} math />
      ))}
      {tail && <Markdown text={tail} math />}
      <span class="caret" aria-hidden="true" />
    </div>
  );
}
