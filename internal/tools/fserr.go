package tools

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"
)

// nodeErrnos gives Node's code and text for the errors file tools meet, so
// messages the model sees match pi's ("ENOENT: no such file or directory,
// access '/x'").
var nodeErrnos = map[syscall.Errno][2]string{
	syscall.ENOENT:       {"ENOENT", "no such file or directory"},
	syscall.EACCES:       {"EACCES", "permission denied"},
	syscall.EPERM:        {"EPERM", "operation not permitted"},
	syscall.EISDIR:       {"EISDIR", "illegal operation on a directory"},
	syscall.ENOTDIR:      {"ENOTDIR", "not a directory"},
	syscall.ELOOP:        {"ELOOP", "too many symbolic links encountered"},
	syscall.ENAMETOOLONG: {"ENAMETOOLONG", "name too long"},
	syscall.EROFS:        {"EROFS", "read-only file system"},
	syscall.ENOSPC:       {"ENOSPC", "no space left on device"},
	syscall.EEXIST:       {"EEXIST", "file already exists"},
	syscall.EMFILE:       {"EMFILE", "too many open files"},
}

// nodeError formats err like a Node fs error for syscall on path ("" for
// calls Node reports without a path, such as read).
func nodeError(err error, syscallName, path string) error {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err
	}
	code, text := errno.Error(), errno.Error()
	if m, ok := nodeErrnos[errno]; ok {
		code, text = m[0], m[1]
	}
	if path == "" {
		return fmt.Errorf("%s: %s, %s", code, text, syscallName)
	}
	return fmt.Errorf("%s: %s, %s '%s'", code, text, syscallName, path)
}

// errnoCode returns the Node error code of err ("ENOENT"), or "".
func errnoCode(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return ""
	}
	if m, ok := nodeErrnos[errno]; ok {
		return m[0]
	}
	return ""
}

// nulPathError is Node's refusal of a path holding a NUL byte.
func nulPathError(p string) error {
	q := strconv.Quote(p)
	q = "'" + strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`) + "'"
	//lint:ignore ST1005 Node's exact wording
	return fmt.Errorf("The argument 'path' must be a string, Uint8Array, or URL without null bytes. Received %s", q)
}

func hasNUL(p string) bool { return strings.IndexByte(p, 0) >= 0 }
