// Package buildinfo reports the version this binary was built as.
package buildinfo

import "runtime/debug"

// version is set at link time: -ldflags "-X github.com/pi-forge/pi-forge/internal/buildinfo.version=1.2.3".
var version = ""

// Version returns the link-time version, else the module version, else "dev".
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
