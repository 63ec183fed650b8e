package registry

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/pi-forge/pi-forge/internal/session"
)

// ListItem is one session of GET /sessions: disk and live merged.
type ListItem struct {
	SessionID       string
	ProjectID       string
	IsLive          bool
	WorkspacePath   string
	LastActivityAt  time.Time
	CreatedAt       time.Time
	MessageCount    int
	FirstMessage    string
	Name            string
	ParentSessionID string
	RunID           string
	Path            string
}

// List returns the sessions of a project (all projects when projectID is
// ""; a project that fails to list is skipped), newest activity first.
// Live sessions win for name and dates, the file for message count and
// first message; live sessions without a file yet are included.
func (r *Registry) List(projectID string) ([]ListItem, error) {
	var ids []string
	paths := map[string]string{}
	if projectID != "" {
		p, err := r.opts.Projects.Get(projectID)
		if err != nil {
			return nil, fmt.Errorf("%w: %s", ErrProjectNotFound, projectID)
		}
		ids, paths[p.ID] = []string{p.ID}, p.Path
	} else {
		all, err := r.opts.Projects.List()
		if err != nil {
			return nil, fmt.Errorf("registry: list projects: %w", err)
		}
		for _, p := range all {
			ids = append(ids, p.ID)
			paths[p.ID] = p.Path
		}
	}
	live := map[string]*Session{}
	for _, s := range r.liveByProject(projectID) {
		live[s.id] = s
	}
	var out []ListItem
	seen := map[string]bool{}
	for _, pid := range ids {
		infos, err := r.opts.Store.List(pid)
		if err != nil {
			if projectID != "" {
				return nil, fmt.Errorf("registry: list sessions: %w", err)
			}
			r.log.Warn("registry: listing a project's sessions failed", "project", pid, "error", err)
			continue
		}
		for _, in := range infos {
			item := fromInfo(in, cmp.Or(paths[pid], in.Cwd))
			if s, ok := live[in.ID]; ok {
				applyLive(&item, s.Summary())
			}
			seen[in.ID] = true
			out = append(out, item)
		}
	}
	for id, s := range live {
		if seen[id] || (projectID == "" && paths[s.projectID] == "") {
			continue
		}
		sum := s.Summary()
		item := ListItem{SessionID: id, ProjectID: s.projectID, WorkspacePath: s.cwd, MessageCount: sum.MessageCount,
			FirstMessage: cmp.Or(sum.FirstMessage, "(no messages)")}
		applyLive(&item, sum)
		out = append(out, item)
	}
	slices.SortStableFunc(out, func(a, b ListItem) int { return b.LastActivityAt.Compare(a.LastActivityAt) })
	return out, nil
}

func fromInfo(in session.Info, workspace string) ListItem {
	return ListItem{SessionID: in.ID, ProjectID: in.ProjectID, WorkspacePath: workspace, LastActivityAt: in.LastActivityAt,
		CreatedAt: in.CreatedAt, MessageCount: in.MessageCount, FirstMessage: in.FirstMessage, Name: in.Name,
		ParentSessionID: in.ParentSessionID, RunID: in.RunID, Path: in.Path}
}

func applyLive(item *ListItem, s Summary) {
	item.IsLive = true
	item.Name = s.Name
	item.CreatedAt = s.CreatedAt
	if s.LastActivityAt.After(item.LastActivityAt) || item.LastActivityAt.IsZero() {
		item.LastActivityAt = s.LastActivityAt
	}
}

// Lookup describes session id: its live summary, or one read from its
// file (IsLive false). ErrSessionNotFound when it is neither.
func (r *Registry) Lookup(id string) (Summary, bool, error) {
	if s, err := r.Get(id); err == nil {
		return s.Summary(), true, nil
	}
	loc, err := r.opts.Store.Locate(id)
	if errors.Is(err, session.ErrNotFound) {
		return Summary{}, false, fmt.Errorf("%w: %s", ErrSessionNotFound, id)
	}
	if err != nil {
		return Summary{}, false, fmt.Errorf("registry: lookup %s: %w", id, err)
	}
	infos, err := r.opts.Store.List(loc.ProjectID)
	if err != nil {
		return Summary{}, false, fmt.Errorf("registry: lookup %s: %w", id, err)
	}
	for _, in := range infos {
		if in.ID != id {
			continue
		}
		sum := Summary{SessionID: id, ProjectID: in.ProjectID, WorkspacePath: in.Cwd, CreatedAt: in.CreatedAt,
			LastActivityAt: in.LastActivityAt, MessageCount: in.MessageCount, Name: in.Name}
		if p, err := r.opts.Projects.Get(in.ProjectID); err == nil {
			sum.WorkspacePath = p.Path
		}
		return sum, false, nil
	}
	return Summary{}, false, fmt.Errorf("%w: %s", ErrSessionNotFound, id)
}
