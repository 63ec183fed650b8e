package registry

import "testing"

func TestTitle(t *testing.T) {
	for _, tc := range []struct{ prompt, want string }{
		{"fix the login bug", "Fix Login Bug"},
		{"Please refactor the JSON parser in @src/util/parse.ts", "Refactor JSON Parser Parse.ts"},
		{"/review check https://example.com/x?y=1 for broken links", "Check Broken Links"},
		{"what is `useEffect` for?", "What Useeffect"}, // rest lowercased unless ALL-CAPS, as the reference
		{"explain this:\n```go\nfunc main() {}\n```\nthanks", "Explain Thanks"},
		{"## Add **dark mode** to the settings page", "Add Dark Mode Settings Page"},
		{"it is", "It Is"}, // fewer than two words would remain: stop words stay
		{"one two three four five six seven eight nine ten", "One Two Three Four Five Six Seven Eight"},
		{"```\nonly code\n```", ""},
		{"   ", ""},
		{"implement internationalization infrastructure supporting bidirectional typography considerations",
			"Implement Internationalization Infrastructure Supporting…"},
		{"supercalifragilisticexpialidocious-antidisestablishmentarianism-floccinaucinihilipilification-pneumonoultramicroscopic",
			"Supercalifragilisticexpialidocious-antidisestablishmentarian…"},
	} {
		if got := Title(tc.prompt); got != tc.want {
			t.Errorf("Title(%q) = %q, want %q", tc.prompt, got, tc.want)
		}
	}
}

func TestIsGenericName(t *testing.T) {
	for name, want := range map[string]bool{
		"": true, "New session": true, "New session (2)": true, "New session (17)": true,
		"New session 2": false, "New session (x)": false, "My session": false, "New sessions": false,
	} {
		if got := IsGenericName(name); got != want {
			t.Errorf("IsGenericName(%q) = %v", name, got)
		}
	}
}
