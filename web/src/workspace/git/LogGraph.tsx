import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { GitCommit } from "../api";
import { layoutLanes, type LaneRow } from "../lanes";
import { useWorkspace } from "../store";

const LIMIT = 200;
const ROW_H = 26;
const LANE_W = 12;
const COLORS = ["var(--accent)", "var(--success)", "var(--warning)", "var(--syn-keyword)", "var(--info)", "var(--danger)", "var(--syn-attr)", "var(--syn-title)"];
const color = (lane: number) => COLORS[lane % COLORS.length];
const x = (lane: number) => lane * LANE_W + LANE_W / 2;

/** LogGraph lists commits of every branch with a lane graph and ref badges. */
export function LogGraph({ projectId, worktree, version }: { projectId: string; worktree?: string; version: number }) {
  const ws = useWorkspace();
  const commits = useSignal<GitCommit[] | null>(null);
  const error = useSignal<string | null>(null);
  useEffect(() => {
    ws.api.gitLog(projectId, worktree, LIMIT).then(
      (r) => ((commits.value = r.commits), (error.value = null)),
      (e: Error) => (error.value = e.message),
    );
  }, [projectId, worktree, version]);

  if (error.value)
    return (
      <p class="form-error" role="alert">
        {error.value}
      </p>
    );
  const list = commits.value;
  if (!list) return <p class="ws-loading">Loading…</p>;
  if (list.length === 0) return <p class="muted ws-note">No commits yet.</p>;
  const rows = layoutLanes(list);
  const width = Math.max(...rows.map((r) => r.width)) * LANE_W;
  return (
    <ol class="git-log" aria-label="Commits">
      {list.map((c, i) => (
        <li key={c.hash} class="git-commit" title={`${c.hash}\n${c.author} · ${new Date(c.date).toLocaleString()}`}>
          <Lanes row={rows[i]} width={width} />
          <div class="git-commit-text">
            <div class="git-commit-line">
              {c.refs.map((r) => (
                <span key={r} class={`git-ref${r.startsWith("tag: ") ? " tag" : r.startsWith("HEAD") ? " head" : ""}`}>
                  {r.replace(/^HEAD -> /, "").replace(/^tag: /, "tag ")}
                </span>
              ))}
              <span class="git-commit-msg">{c.message}</span>
            </div>
            <div class="muted git-commit-meta">
              {c.hash.slice(0, 7)} · {c.author} · {relative(c.date)}
            </div>
          </div>
        </li>
      ))}
    </ol>
  );
}

function Lanes({ row, width }: { row: LaneRow; width: number }) {
  const mid = ROW_H / 2;
  const cx = x(row.col);
  return (
    <svg class="git-lanes" width={width} height={ROW_H} viewBox={`0 0 ${width} ${ROW_H}`} aria-hidden="true">
      {row.through.map((l) => (
        <line key={`t${l}`} x1={x(l)} y1={0} x2={x(l)} y2={ROW_H} stroke={color(l)} stroke-width="2" />
      ))}
      {row.into.map((l) => (
        <path key={`i${l}`} d={`M${x(l)} 0 C ${x(l)} ${mid / 2}, ${cx} ${mid / 2}, ${cx} ${mid}`} stroke={color(l)} stroke-width="2" fill="none" />
      ))}
      {row.out.map((l) => (
        <path key={`o${l}`} d={`M${cx} ${mid} C ${cx} ${mid * 1.5}, ${x(l)} ${mid * 1.5}, ${x(l)} ${ROW_H}`} stroke={color(l)} stroke-width="2" fill="none" />
      ))}
      <circle cx={cx} cy={mid} r="4" fill={color(row.col)} stroke="var(--panel)" stroke-width="1.5" />
    </svg>
  );
}

function relative(iso: string): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const s = Math.round((Date.now() - t) / 1000);
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  if (s < 86400 * 30) return `${Math.round(s / 86400)} d ago`;
  return new Date(iso).toLocaleDateString();
}
