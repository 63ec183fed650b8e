package session

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// conversation builds u1 a1 u2 a2 and returns the session and entry ids.
func conversation(t *testing.T, st *Store) (*Session, []string) {
	t.Helper()
	s := must[*Session](t)(st.Create("p", "/work/p", CreateOptions{}))
	ok := must[string](t)
	ids := []string{
		ok(s.AppendMessage(userMsg("first question", 1))),
		ok(s.AppendMessage(assistantMsg("first answer", 2))),
		ok(s.AppendMessage(userMsg("second question", 3))),
		ok(s.AppendMessage(assistantMsg("second answer", 4))),
	}
	return s, ids
}

func ids(es []*Entry) string {
	var out []string
	for _, e := range es {
		out = append(out, e.ID)
	}
	return strings.Join(out, ",")
}

func TestBranchAndTree(t *testing.T) {
	st := testStore(t)
	s, id := conversation(t, st)
	if err := s.Branch(id[1]); err != nil {
		t.Fatal(err)
	}
	// Moving the leaf writes nothing; the next append shows it.
	alt := must[string](t)(s.AppendMessage(userMsg("other question", 5)))
	if e, _ := s.Entry(alt); e.ParentID != id[1] {
		t.Errorf("new branch parent %s, want %s", e.ParentID, id[1])
	}
	if got, want := ids(s.ActivePath()), strings.Join([]string{id[0], id[1], alt}, ","); got != want {
		t.Errorf("path %s, want %s", got, want)
	}
	// Leaf on reload = last entry in file order.
	r := must[*Session](t)(st.Open(s.Path()))
	if r.LeafID() != alt {
		t.Errorf("reloaded leaf %s, want %s", r.LeafID(), alt)
	}
	roots := r.Tree()
	if len(roots) != 1 || len(roots[0].Children) != 1 || len(roots[0].Children[0].Children) != 2 {
		t.Fatalf("tree shape wrong")
	}
	kids := roots[0].Children[0].Children
	if kids[0].Entry.ID != id[2] || kids[1].Entry.ID != alt {
		t.Errorf("children not sorted by timestamp: %s %s", kids[0].Entry.ID, kids[1].Entry.ID)
	}
	if err := s.Branch("nope"); err == nil {
		t.Error("branch to an unknown entry succeeded")
	}
	s.ResetLeaf()
	root2 := must[string](t)(s.AppendMessage(userMsg("new root", 6)))
	if e, _ := s.Entry(root2); e.ParentID != "" {
		t.Errorf("entry after ResetLeaf has parent %s", e.ParentID)
	}
}

func TestTreeView(t *testing.T) {
	st := testStore(t)
	s, id := conversation(t, st)
	must[string](t)(s.SetLabel(id[2], "here"))
	must[any](t)(nil, s.Branch(id[1]))
	long := strings.Repeat("word ", 100)
	alt := must[string](t)(s.AppendMessage(userMsg(long, 5)))
	v := s.TreeView()
	b, _ := json.Marshal(v)
	var got struct {
		LeafID    *string          `json:"leafId"`
		BranchIDs []string         `json:"branchIds"`
		Entries   []map[string]any `json:"entries"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if *got.LeafID != alt || strings.Join(got.BranchIDs, ",") != strings.Join([]string{id[0], id[1], alt}, ",") {
		t.Errorf("leaf %v branch %v", *got.LeafID, got.BranchIDs)
	}
	// Depth-first, children oldest first: u1 a1 u2 a2 label alt.
	var order []string
	for _, e := range got.Entries {
		order = append(order, e["id"].(string))
	}
	if len(order) != 6 || order[0] != id[0] || order[1] != id[1] || order[2] != id[2] || order[3] != id[3] || order[5] != alt {
		t.Errorf("order %v", order)
	}
	first := got.Entries[0]
	if first["parentId"] != nil || first["role"] != "user" || first["preview"] != "first question" || first["type"] != "message" {
		t.Errorf("first entry %v", first)
	}
	if got.Entries[2]["label"] != "here" {
		t.Errorf("label missing: %v", got.Entries[2])
	}
	p := got.Entries[5]["preview"].(string)
	if r := []rune(p); len(r) != PreviewMax || !strings.HasSuffix(p, "…") {
		t.Errorf("preview of %d runes: %q", len(r), p)
	}
	if _, ok := got.Entries[4]["role"]; ok {
		t.Errorf("non-message entry has a role: %v", got.Entries[4])
	}
}

func TestLabelsAndNames(t *testing.T) {
	st := testStore(t)
	s, id := conversation(t, st)
	ok := must[string](t)
	ok(s.SetLabel(id[0], "a"))
	ok(s.SetLabel(id[0], "b"))
	ok(s.SetLabel(id[1], "c"))
	ok(s.SetLabel(id[1], ""))
	if _, err := s.SetLabel("missing", "x"); err == nil {
		t.Error("label on an unknown entry succeeded")
	}
	ok(s.SetName("One"))
	must[any](t)(nil, s.Branch(id[0]))
	ok(s.SetName("Two")) // on another branch: file order still wins
	r := must[*Session](t)(st.Open(s.Path()))
	for _, x := range []*Session{s, r} {
		if x.Label(id[0]) != "b" || x.Label(id[1]) != "" {
			t.Errorf("labels %q %q", x.Label(id[0]), x.Label(id[1]))
		}
		if x.Name() != "Two" {
			t.Errorf("name %q", x.Name())
		}
	}
	ok(s.SetName(""))
	if s.Name() != "" {
		t.Errorf("empty session_info did not clear the name: %q", s.Name())
	}
}

func TestNavigate(t *testing.T) {
	st := testStore(t)
	s, id := conversation(t, st)

	// User message target: leaf = its parent, text back to the editor.
	res := must[NavigateResult](t)(s.Navigate(id[2], NavigateOptions{}))
	if res.LeafID != id[1] || !res.HasEditorText || res.EditorText != "second question" {
		t.Errorf("navigate to user: %+v", res)
	}
	if n := len(s.Entries()); n != 4 {
		t.Errorf("navigation without summary or label wrote %d entries", n-4)
	}

	// Back to the old tip with a summary of the abandoned branch and a label.
	s2, id2 := conversation(t, testStore(t))
	abandoned := must[[]*Entry](t)(s2.AbandonedEntries(id2[1]))
	if got := ids(abandoned); got != id2[2]+","+id2[3] {
		t.Errorf("abandoned %s", got)
	}
	res = must[NavigateResult](t)(s2.Navigate(id2[1], NavigateOptions{Summary: BranchSummary{Summary: "went elsewhere"}, Label: "tip"}))
	sum, _ := s2.Entry(res.SummaryEntryID)
	if sum == nil || sum.Type != TypeBranchSummary || sum.ParentID != id2[1] || sum.FromID != id2[1] {
		t.Fatalf("summary entry %+v", sum)
	}
	if s2.Label(res.SummaryEntryID) != "tip" || res.HasEditorText {
		t.Errorf("label on summary %q, editor %v", s2.Label(res.SummaryEntryID), res.HasEditorText)
	}
	ctx := s2.BuildContext()
	if last := ctx.Messages[len(ctx.Messages)-1]; last.Role != ai.RoleBranchSummary || last.Summary != "went elsewhere" || last.FromID != id2[1] {
		t.Errorf("context ends with %+v", last)
	}

	// Root user message: leaf resets; a label goes on the target.
	res = must[NavigateResult](t)(s2.Navigate(id2[0], NavigateOptions{Label: "start"}))
	if res.EditorText != "first question" || s2.Label(id2[0]) != "start" {
		t.Errorf("navigate to root: %+v label %q", res, s2.Label(id2[0]))
	}
	if e, _ := s2.Entry(s2.LeafID()); e.Type != TypeLabel || e.ParentID != "" {
		t.Errorf("label after root navigation: %+v", e)
	}
	if _, err := s2.Navigate("missing", NavigateOptions{}); err == nil {
		t.Error("navigate to unknown entry succeeded")
	}
}

func TestFork(t *testing.T) {
	st := testStore(t)
	s, id := conversation(t, st)
	must[string](t)(s.SetLabel(id[1], "keep"))
	must[string](t)(s.SetLabel(id[3], "beyond"))
	before := readFile(t, s.Path())

	res := must[ForkResult](t)(st.Fork(s, id[2], ForkBefore))
	f := res.Session
	if res.SelectedText != "second question" {
		t.Errorf("selected %q", res.SelectedText)
	}
	if f.Header().ParentSession != s.Path() || f.ID() == s.ID() || filepath.Dir(f.Path()) != filepath.Dir(s.Path()) {
		t.Errorf("fork header %+v path %s", f.Header(), f.Path())
	}
	es := f.Entries()
	if len(es) != 3 || es[0].ID != id[0] || es[1].ID != id[1] || es[2].Type != TypeLabel || es[2].ParentID != id[1] {
		t.Fatalf("fork entries %s", ids(es))
	}
	if f.Label(id[1]) != "keep" || f.Label(id[3]) != "" {
		t.Errorf("labels in fork: %q %q", f.Label(id[1]), f.Label(id[3]))
	}
	if !f.Persisted() {
		t.Error("fork with an assistant message not written at once")
	}
	r := must[*Session](t)(st.Open(f.Path()))
	assertSameEntries(t, r, f)
	if string(readFile(t, s.Path())) != string(before) {
		t.Error("fork changed the source")
	}

	// Fork at an entry keeps it; before a root message is an empty session.
	at := must[ForkResult](t)(st.Fork(s, id[2], ForkAt)).Session
	if got := ids(at.ActivePath()); !strings.HasPrefix(got, id[0]+","+id[1]+","+id[2]+",") { // then the re-created label
		t.Errorf("fork at: path %s", got)
	}
	if at.Persisted() != true {
		t.Error("fork at not written")
	}
	empty := must[ForkResult](t)(st.Fork(s, id[0], ForkBefore)).Session
	if len(empty.Entries()) != 0 || empty.Persisted() {
		t.Errorf("fork before root: %d entries, persisted %v", len(empty.Entries()), empty.Persisted())
	}
	if _, err := st.Fork(s, id[1], ForkBefore); err == nil {
		t.Error("fork before an assistant message succeeded")
	}
	// A fork of a user-only path is written lazily.
	lazy := must[ForkResult](t)(st.Fork(s, id[0], ForkAt)).Session
	if lazy.Persisted() {
		t.Error("fork without assistant written at once")
	}
	must[string](t)(lazy.AppendMessage(assistantMsg("x", 9)))
	if got := len(must[*Session](t)(st.Open(lazy.Path())).Entries()); got != 2 {
		t.Errorf("lazy fork wrote %d entries", got)
	}
}

func TestForkFrom(t *testing.T) {
	st := testStore(t)
	s, _ := conversation(t, st)
	f := must[*Session](t)(st.ForkFrom(s.Path(), "other", "/work/other"))
	h := f.Header()
	if h.Cwd != "/work/other" || h.ParentSession != s.Path() || !strings.HasPrefix(f.Path(), filepath.Join(st.opts.SessionDir, "other")+"/") {
		t.Errorf("forkFrom header %+v path %s", h, f.Path())
	}
	src := readFile(t, s.Path())
	got := readFile(t, f.Path())
	_, srcBody, _ := strings.Cut(string(src), "\n")
	_, gotBody, _ := strings.Cut(string(got), "\n")
	if srcBody != gotBody {
		t.Errorf("entries not copied verbatim")
	}
	if _, err := st.ForkFrom(filepath.Join(t.TempDir(), "none.jsonl"), "other", "/x"); err == nil {
		t.Error("forkFrom a missing file succeeded")
	}
	_ = os.Remove(f.Path())
}

// TestForkRelinksAfterLabels: label entries are not copied into a fork; an
// entry that was a label's child hangs from the label's parent instead.
func TestForkRelinksAfterLabels(t *testing.T) {
	st := testStore(t)
	s, id := conversation(t, st)
	must[string](t)(s.SetLabel(id[0], "one"))
	must[string](t)(s.SetLabel(id[1], "two"))
	tail := must[string](t)(s.AppendMessage(userMsg("after labels", 5)))
	f := must[ForkResult](t)(st.Fork(s, tail, ForkAt)).Session
	var kept []string
	for _, e := range f.ActivePath() {
		if e.Type != TypeLabel {
			kept = append(kept, e.ID)
		}
	}
	if got, want := strings.Join(kept, ","), strings.Join(append(id, tail), ","); got != want {
		t.Fatalf("fork path %s, want %s", got, want)
	}
	e, _ := f.Entry(tail)
	if e.ParentID != id[3] || !strings.Contains(string(e.Raw()), `"parentId":"`+id[3]+`"`) {
		t.Errorf("not re-linked: %s", e.Raw())
	}
	if f.Label(id[0]) != "one" || f.Label(id[1]) != "two" {
		t.Errorf("labels %q %q", f.Label(id[0]), f.Label(id[1]))
	}
	r := must[*Session](t)(st.Open(f.Path()))
	assertSameEntries(t, r, f)
}
