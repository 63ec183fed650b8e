package config

import (
	"fmt"
	"io"
	"strings"
)

// groupOrder is the order of sections in --help and the docs.
var groupOrder = []string{groupServer, groupPaths, groupAuth, groupLDAP, groupUI, groupAgent, groupSandbox, groupRateLimit, groupTerminal}

// WriteHelp prints usage and every option, grouped, from the table.
func WriteHelp(w io.Writer, program string) {
	fmt.Fprintf(w, "Usage: %s [serve|healthcheck|version] [options]\n\n", program)
	fmt.Fprintln(w, "  serve        run the server (default)")
	fmt.Fprintln(w, "  healthcheck  exit 0 when the server on --host/--port answers GET /api/v1/health")
	fmt.Fprintln(w, "  version      print the version")
	fmt.Fprintln(w, "\nEvery option is also an environment variable; a flag wins over its variable.")
	fmt.Fprintln(w, "Booleans take true/false, on/off, yes/no, 1/0; --x alone means true and --no-x false.")
	fmt.Fprintln(w, "Secret options take @/path on the command line and NAME_FILE in the environment.")
	opts := Options()
	for _, g := range groupOrder {
		fmt.Fprintf(w, "\n%s:\n", g)
		for _, o := range opts {
			if o.Group != g {
				continue
			}
			fmt.Fprintf(w, "  --%s <%s>  (%s)\n", o.Flag, o.Kind(), o.Env)
			help := o.Help
			if o.Default != "" {
				help += " [default: " + o.Default + "]"
			}
			if o.Secret {
				help += " [secret]"
			}
			fmt.Fprintf(w, "      %s\n", help)
		}
	}
}

// WriteMarkdown prints the option table as Markdown for docs/configuration.md.
func WriteMarkdown(w io.Writer) {
	opts := Options()
	for _, g := range groupOrder {
		fmt.Fprintf(w, "\n## %s\n\n| Flag | Env | Default | Meaning |\n|---|---|---|---|\n", g)
		for _, o := range opts {
			if o.Group != g {
				continue
			}
			def := o.Default
			if def != "" {
				def = "`" + def + "`"
			}
			help := strings.ReplaceAll(o.Help, "|", `\|`)
			if o.Secret {
				help += " Secret: `@/path` flag, `" + o.Env + "_FILE` env."
			}
			fmt.Fprintf(w, "| `--%s` | `%s` | %s | %s |\n", o.Flag, o.Env, strings.ReplaceAll(def, "|", `\|`), help)
		}
	}
}
