//go:build !linux

package logind

// Keep does nothing where there is no systemd-logind: there a login
// session's end kills nothing that ignores SIGHUP. Only --linger is
// answered, since the user asked for it.
func Keep(req Request) Result {
	if req.Linger {
		return Result{Lines: []string{"--linger: there is no systemd-logind on this system"}}
	}
	return Result{}
}
