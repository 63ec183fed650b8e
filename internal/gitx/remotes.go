package gitx

import (
	"context"
	"regexp"
	"sort"
	"strings"
)

// Remote is one configured remote. URLs are shown with any embedded
// password hidden. InsecureTLS is set when http.<url>.sslVerify is false
// in the repository's own config for its fetch or push URL.
type Remote struct {
	Name        string `json:"name"`
	FetchURL    string `json:"fetchUrl"`
	PushURL     string `json:"pushUrl"`
	InsecureTLS bool   `json:"insecureTls"`
}

// Remotes is GET /git/remotes.
type Remotes struct {
	IsGitRepo bool     `json:"isGitRepo"`
	Remotes   []Remote `json:"remotes"`
}

var remoteLine = regexp.MustCompile(`^(\S+)\t(.+) \((fetch|push)\)$`)

// Remotes lists remotes by name.
func (g *Git) Remotes(ctx context.Context, dir string) (Remotes, error) {
	res, err := g.run(ctx, call{dir: dir, args: []string{"remote", "-v"}})
	if err != nil {
		return Remotes{}, err
	}
	if res.exit != 0 {
		if notRepo(res) {
			return Remotes{Remotes: []Remote{}}, nil
		}
		return Remotes{}, failure("git remote", res, nil)
	}
	byName := map[string]*Remote{}
	for _, line := range strings.Split(string(res.stdout), "\n") {
		m := remoteLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		r := byName[m[1]]
		if r == nil {
			r = &Remote{Name: m[1], FetchURL: m[2], PushURL: m[2]}
			byName[m[1]] = r
		}
		if m[3] == "push" {
			r.PushURL = m[2]
		} else {
			r.FetchURL = m[2]
		}
	}
	out := Remotes{IsGitRepo: true, Remotes: []Remote{}}
	for _, r := range byName {
		r.InsecureTLS = g.urlInsecure(ctx, dir, r.FetchURL) || r.PushURL != r.FetchURL && g.urlInsecure(ctx, dir, r.PushURL)
		r.FetchURL, r.PushURL = RedactURL(r.FetchURL), RedactURL(r.PushURL)
		out.Remotes = append(out.Remotes, *r)
	}
	sort.Slice(out.Remotes, func(i, j int) bool { return out.Remotes[i].Name < out.Remotes[j].Name })
	return out, nil
}

// urlInsecure reports whether the repository's local config turns TLS
// verification off for url.
func (g *Git) urlInsecure(ctx context.Context, dir, url string) bool {
	// The exact key covers URLs git can not url-match (local paths); the
	// url match also honours broader keys the user set by hand.
	for _, args := range [][]string{
		{"config", "--local", "--type=bool", "--get", "http." + url + ".sslVerify"},
		{"config", "--local", "--type=bool", "--get-urlmatch", "http.sslVerify", url},
	} {
		res, err := g.run(ctx, call{dir: dir, args: args})
		if err == nil && res.exit == 0 && strings.TrimSpace(string(res.stdout)) == "false" {
			return true
		}
	}
	return false
}

// checkRemoteName applies git's rule for remote names (a valid ref
// component under refs/remotes/) and refuses option-like names.
func (g *Git) checkRemoteName(ctx context.Context, dir, name string) error {
	bad := &Error{Code: CodeInvalidBranchName, Op: "git remote", Message: "invalid remote name: " + quote(name)}
	if name == "" || len(name) > 200 || strings.HasPrefix(name, "-") || hasControl(name) {
		return bad
	}
	res, err := g.run(ctx, call{dir: dir, args: []string{"check-ref-format", "refs/remotes/" + name + "/HEAD"}})
	if err != nil {
		return err
	}
	if res.exit != 0 {
		return bad
	}
	return nil
}

func checkRemoteURL(url string) error {
	if url == "" || len(url) > 1024 || strings.HasPrefix(url, "-") || hasControl(url) {
		return &Error{Code: CodeInvalidBranchName, Op: "git remote", Message: "invalid remote URL"}
	}
	return nil
}

// AddRemote adds a remote; insecureTLS turns TLS verification off for its
// URL only.
func (g *Git) AddRemote(ctx context.Context, dir, name, url string, insecureTLS bool) error {
	if err := g.checkRemoteName(ctx, dir, name); err != nil {
		return err
	}
	if err := checkRemoteURL(url); err != nil {
		return err
	}
	if _, err := g.git(ctx, call{dir: dir, args: []string{"remote", "add", "--", name, url}, secrets: []string{url}}); err != nil {
		return err
	}
	if insecureTLS {
		return g.setURLInsecure(ctx, dir, url, true)
	}
	return nil
}

// SetRemoteInsecureTLS turns TLS verification off (or back on) for the
// remote's fetch and push URLs, in the repository's local config.
func (g *Git) SetRemoteInsecureTLS(ctx context.Context, dir, name string, insecure bool) error {
	urls, err := g.remoteURLs(ctx, dir, name)
	if err != nil {
		return err
	}
	for _, u := range urls {
		if err := g.setURLInsecure(ctx, dir, u, insecure); err != nil {
			return err
		}
	}
	return nil
}

// RemoveRemote removes a remote and the TLS exceptions made for it.
func (g *Git) RemoveRemote(ctx context.Context, dir, name string) error {
	urls, err := g.remoteURLs(ctx, dir, name)
	if err != nil {
		return err
	}
	if _, err := g.out(ctx, dir, "remote", "remove", name); err != nil {
		return err
	}
	for _, u := range urls {
		_ = g.setURLInsecure(ctx, dir, u, false)
	}
	return nil
}

func (g *Git) remoteURLs(ctx context.Context, dir, name string) ([]string, error) {
	if err := g.checkRemoteName(ctx, dir, name); err != nil {
		return nil, err
	}
	fetch, err := g.out(ctx, dir, "remote", "get-url", "--", name)
	if err != nil {
		return nil, err
	}
	urls := []string{strings.TrimSpace(fetch)}
	if push, err := g.out(ctx, dir, "remote", "get-url", "--push", "--", name); err == nil {
		if p := strings.TrimSpace(push); p != urls[0] {
			urls = append(urls, p)
		}
	}
	return urls, nil
}

// setURLInsecure writes (or removes) http.<url>.sslVerify=false.
func (g *Git) setURLInsecure(ctx context.Context, dir, url string, insecure bool) error {
	key := "http." + url + ".sslVerify"
	if insecure {
		_, err := g.git(ctx, call{dir: dir, args: []string{"config", "--local", key, "false"}, secrets: []string{url}})
		return err
	}
	res, err := g.run(ctx, call{dir: dir, args: []string{"config", "--local", "--unset-all", key}})
	if err != nil {
		return err
	}
	// Exit 5: the key was not set, which is what we want.
	if res.exit != 0 && res.exit != 5 {
		return failure("git config", res, []string{url})
	}
	return nil
}
