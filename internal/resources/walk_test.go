package resources

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Skill folders honour ignore files as pi's loader does (checked against
// pi 0.74.2 with the same tree through testdata/piresources.mjs): within a folder .fdignore outranks
// .gitignore, a nested folder's lines match from that folder only, a
// whitelisted folder's files can still be ignored by a "dir/**" line, and
// an indented "#" line is a comment.
func TestSkillFilesHonourIgnoreFilesLikePi(t *testing.T) {
	root := t.TempDir()
	skill := func(rel string) {
		write(t, filepath.Join(root, rel, "SKILL.md"), "---\ndescription: d\n---\nbody\n")
	}
	write(t, filepath.Join(root, ".fdignore"), "x-skill/\n")
	write(t, filepath.Join(root, ".gitignore"), "!x-skill/\nlogs/\ndocs/**\n!docs/keep/\n")
	write(t, filepath.Join(root, "group", ".ignore"), "hide*/\n!hide-keep/\n  # indented comment\n")
	for _, s := range []string{"x-skill", "logs", "group/hide-me", "group/hide-keep", "group/deeper/hide-deep", "group/deeper/ok", "docs/a", "docs/keep"} {
		skill(s)
	}
	if err := os.Symlink("group", filepath.Join(root, "linked")); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range collectSkillFiles(root, skillModePi) {
		got = append(got, strings.TrimPrefix(p, root+"/"))
	}
	want := []string{
		"group/deeper/hide-deep/SKILL.md", "group/deeper/ok/SKILL.md", "group/hide-keep/SKILL.md",
		// pi drops these as duplicates of group's files, by real path.
		"linked/deeper/hide-deep/SKILL.md", "linked/deeper/ok/SKILL.md", "linked/hide-keep/SKILL.md",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
}
