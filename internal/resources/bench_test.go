package resources

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkLoad is the cost of equipping one new session: settings,
// override files, 100 skills, 100 templates and a context-file chain.
func BenchmarkLoad(b *testing.B) {
	t := b
	f := newFixture(t)
	for i := range 50 {
		write(t, filepath.Join(f.agent, "skills", fmt.Sprintf("g%02d", i), "SKILL.md"), "---\ndescription: global skill\n---\nbody")
		write(t, filepath.Join(f.project, ".pi", "skills", fmt.Sprintf("p%02d", i), "SKILL.md"), "---\ndescription: project skill\n---\nbody")
		write(t, filepath.Join(f.agent, "prompts", fmt.Sprintf("g%02d.md", i)), "---\ndescription: d\n---\nDo $1")
		write(t, filepath.Join(f.project, ".pi", "prompts", fmt.Sprintf("p%02d.md", i)), "Do $@")
	}
	write(t, filepath.Join(f.project, "AGENTS.md"), "rules")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		s, err := f.loader.Load(ctx, f.proj())
		if err != nil || len(s.Skills) != 100 {
			b.Fatal(err)
		}
		_ = s.SystemPrompt(nil)
	}
}
