package tools

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/pi-forge/pi-forge/internal/proc"
)

// rgEvent is the part of a `rg --json` line grep uses.
type rgEvent struct {
	Type string `json:"type"`
	Data struct {
		Path struct {
			Text *string `json:"text"`
		} `json:"path"`
		Lines struct {
			Text *string `json:"text"`
		} `json:"lines"`
		LineNumber *int `json:"line_number"`
	} `json:"data"`
}

// searchRipgrep runs rg as pi does and stops it at limit matches.
func (t *grepTool) searchRipgrep(ctx context.Context, rg, searchPath string, args grepArgs, limit int) ([]grepMatch, bool, error) {
	argv := []string{"--json", "--line-number", "--color=never", "--hidden"}
	if args.IgnoreCase {
		argv = append(argv, "--ignore-case")
	}
	if args.Literal {
		argv = append(argv, "--fixed-strings")
	}
	if args.Glob != "" {
		argv = append(argv, "--glob", args.Glob)
	}
	argv = append(argv, "--", args.Pattern, searchPath)

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	cmd, err := t.opts.Launcher.Command(runCtx, proc.Spec{Kind: proc.KindHelper, Path: rg, Args: argv, Dir: t.opts.Cwd})
	if err != nil {
		return nil, false, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, false, err
	}
	if err := cmd.Start(); err != nil {
		return nil, false, errors.New("Failed to run ripgrep: " + err.Error())
	}
	var matches []grepMatch
	count, limitReached := 0, false
	r := bufio.NewReaderSize(stdout, 256*1024)
	for {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 && count < limit {
			var ev rgEvent
			if json.Unmarshal(line, &ev) == nil && ev.Type == "match" {
				count++
				if ev.Data.Path.Text != nil && ev.Data.LineNumber != nil {
					matches = append(matches, grepMatch{file: *ev.Data.Path.Text, line: *ev.Data.LineNumber, text: ev.Data.Lines.Text})
				}
				if count >= limit {
					limitReached = true
					stop() // kills rg; the rest of its output is not needed
					_, _ = io.Copy(io.Discard, r)
					break
				}
			}
		}
		if err != nil {
			break
		}
	}
	waitErr := cmd.Wait()
	if ctx.Err() != nil {
		return nil, false, errAborted
	}
	if !limitReached && waitErr != nil {
		code := -1
		if cmd.ProcessState != nil {
			code = cmd.ProcessState.ExitCode()
		}
		if code != 1 {
			msg := strings.TrimSpace(stderr.String())
			if msg == "" {
				msg = "ripgrep exited with code " + strconv.Itoa(code)
			}
			return nil, false, errors.New(msg)
		}
	}
	return matches, limitReached, nil
}
