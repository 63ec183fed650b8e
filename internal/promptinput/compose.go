package promptinput

import (
	"strings"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/resources"
	"github.com/pi-forge/pi-forge/internal/workspace"
)

// Commands expands slash commands; *resources.Session implements it.
type Commands interface {
	ExpandCommand(text string, expand resources.ArgExpander) (string, bool)
}

// Compose builds the user message content of a prompt (or a steering
// message): the text, then one image block per attached image.
//
// The text is built in this order:
//  1. a /skill:name or /template command is expanded (cmds may be nil),
//     with @file references expanded in its arguments only, so a skill's
//     or template's own text is never rewritten;
//  2. otherwise @file references are expanded in the whole text;
//  3. attached text files go before it as fenced blocks.
//
// root is the project (nil skips @file expansion). Unlike the reference,
// @file markers inside attached files are left alone, and a command still
// expands when files are attached.
func Compose(root *workspace.Root, cmds Commands, req *Request) []ai.Content {
	expand := func(parts []string) []string {
		if root == nil {
			return parts
		}
		return ExpandRefs(root, parts)
	}
	text, ok := req.Text, false
	if cmds != nil {
		text, ok = cmds.ExpandCommand(req.Text, expand)
	}
	if !ok {
		text = expand([]string{req.Text})[0]
	}
	if len(req.Files) > 0 {
		blocks := make([]string, 0, len(req.Files)+1)
		for _, f := range req.Files {
			blocks = append(blocks, fileBlock(safeFileName(f.Name), f.Content))
		}
		text = strings.Join(append(blocks, text), "\n\n")
	}
	content := []ai.Content{ai.TextContent(text)}
	for _, img := range req.Images {
		content = append(content, ai.ImageContent(img.Base64(), img.MimeType))
	}
	return content
}
