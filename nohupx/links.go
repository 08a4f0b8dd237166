package nohupx

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/nohupx/nohupx/internal/diag"
	"github.com/nohupx/nohupx/internal/exitcode"
	"github.com/nohupx/nohupx/internal/quote"
)

// LinkNames are the applets --install-links creates links for, and
// DropInNames the ones it adds with --drop-in, which take over the names
// of the tools they replace. cmd/nohupx's test checks that together
// with "nohupx" they are exactly its applet table.
var (
	LinkNames   = []string{"detach", "reattach-sock"}
	DropInNames = []string{"nohup", "setsid"}
)

// installLinks is --install-links DIR: a symbolic link per applet to this
// binary, for users who built from source (packages ship the links), as
// busybox --install does. It replaces nothing it did not create: an
// existing link to this binary is left as it is; anything else is
// reported and left alone, and the status is then 125.
func installLinks(o Options, fail int) int {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		_ = diag.Printf(o.Err, o.Prog, "cannot find this binary: %s", err)
		return fail
	}
	names := LinkNames
	if o.DropIn {
		names = append(append([]string{}, LinkNames...), DropInNames...)
	}
	status := exitcode.OK
	for _, name := range names {
		link := filepath.Join(o.LinksDir, name)
		msg, err := installLink(exe, link)
		if err != nil {
			_ = diag.Printf(o.Err, o.Prog, "%s", err)
			status = fail
			continue
		}
		if !o.Quiet {
			_ = diag.Printf(o.Err, o.Prog, "%s", msg)
		}
	}
	return status
}

func installLink(exe, link string) (string, error) {
	target, err := os.Readlink(link)
	switch {
	case err == nil && sameFile(target, link, exe):
		return quote.Shell(link) + " already links to " + quote.Shell(exe), nil
	case err == nil:
		return "", fmt.Errorf("not replacing %s: it links to %s, not to this binary", quote.Shell(link), quote.Shell(target))
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Symlink(exe, link); err != nil {
			return "", fmt.Errorf("cannot create %s: %s", quote.Shell(link), diag.Strerror(err))
		}
		return "created " + quote.Shell(link) + " -> " + quote.Shell(exe), nil
	default:
		// EINVAL: it exists and is not a symbolic link.
		if _, serr := os.Lstat(link); serr == nil {
			return "", fmt.Errorf("not replacing %s: it is not a link to this binary", quote.Shell(link))
		}
		return "", fmt.Errorf("cannot read %s: %s", quote.Shell(link), diag.Strerror(err))
	}
}

// sameFile reports whether the link's target, read relative to the link,
// is the binary.
func sameFile(target, link, exe string) bool {
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(link), target)
	}
	a, err1 := os.Stat(target)
	b, err2 := os.Stat(exe)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}
