package reattach

import "strings"

// kindOf tells a server process by its comm (and argv[0] for screen, whose
// server and clients share the comm "screen" but whose server renames
// itself "SCREEN"). ok is false for every other process.
func kindOf(comm, argv0 string) (Kind, bool) {
	switch {
	case comm == "tmux: server": // tmux's setproctitle on Linux
		return Tmux, true
	case comm == "tmux": // macOS and the BSDs: the server is a tmux with ppid 1
		return Tmux, true
	case comm == "screen" || comm == "SCREEN":
		if argv0 == "" || strings.HasPrefix(argv0, "SCREEN") {
			return Screen, true
		}
	case comm == "abduco":
		return Abduco, true
	case comm == "dtach":
		return Dtach, true
	case comm == "emacs" || comm == "Emacs" || strings.HasPrefix(comm, "emacs-"):
		return Emacs, true
	}
	return "", false
}

// screenSessionName finds the session name in a screen command line: the
// value of -S, alone ("-S name"), attached ("-Sname") or closing a cluster
// ("-dmS name"). Options that take a value end a cluster. "" when there is
// none (the default name includes the terminal, which is not known).
func screenSessionName(argv []string) string {
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		if len(a) < 2 || a[0] != '-' || a == "--" {
			return ""
		}
		for j := 1; j < len(a); j++ {
			switch c := a[j]; {
			case c == 'S':
				if rest := a[j+1:]; rest != "" {
					return rest
				}
				if i+1 < len(argv) {
					return argv[i+1]
				}
				return ""
			case strings.IndexByte("cehpsTtX", c) >= 0:
				if j == len(a)-1 {
					i++ // its value is the next word
				}
				j = len(a)
			}
		}
	}
	return ""
}
