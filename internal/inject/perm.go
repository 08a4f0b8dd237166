package inject

import (
	"fmt"
	"strings"

	"github.com/nohupx/nohupx/internal/procfs"
)

// permFacts are what the kernel's ptrace_may_access() and Yama look at
// when they refuse PTRACE_SEIZE with EPERM, gathered so that the reason
// can be named. explainPermission is pure, for tests.
type permFacts struct {
	Pid       int
	Yama      int  // kernel.yama.ptrace_scope; -1 when the kernel has no Yama
	CapPtrace bool // this process has CAP_SYS_PTRACE in its effective set
	Self      bool // the target is this very process
	OurUID    int  // real ids: PTRACE_SEIZE checks the real ones
	OurGID    int
	Target    procfs.Status
	NotDumpbl bool                 // /proc/PID belongs to root although the process does not run as root
	Ancestor  bool                 // this process is an ancestor of the target
	UserName  func(uid int) string // a user's name, or ""
}

func (f permFacts) user(uid int) string {
	if f.UserName != nil {
		if n := f.UserName(uid); n != "" {
			return fmt.Sprintf("uid %d (%s)", uid, n)
		}
	}
	return fmt.Sprintf("uid %d", uid)
}

// explainPermission says why the kernel refused to let this process trace
// the target, and how to proceed, in the order the kernel checks:
// credentials, dumpability, then the Yama security module.
func explainPermission(f permFacts) string {
	if f.Self {
		return "it is this nohupx process"
	}
	var why []string
	fix := ""
	sameIDs := true
	for i := 0; i < 3; i++ { // real, effective, saved
		if f.Target.UID[i] != f.OurUID || f.Target.GID[i] != f.OurGID {
			sameIDs = false
		}
	}
	if !sameIDs && !f.CapPtrace {
		if f.Target.UID[0] != f.OurUID {
			why = append(why, fmt.Sprintf("process %d runs as %s and this nohupx as %s: only its owner, or a process with CAP_SYS_PTRACE, may trace it",
				f.Pid, f.user(f.Target.UID[0]), f.user(f.OurUID)))
			fix = fmt.Sprintf("run nohupx as root (sudo nohupx -p %d) or as %s", f.Pid, f.user(f.Target.UID[0]))
		} else {
			why = append(why, fmt.Sprintf("process %d runs with other user or group ids than this nohupx (uids %v, gids %v; ours %d, %d), as a setuid or setgid program does: only a process with CAP_SYS_PTRACE may trace it",
				f.Pid, f.Target.UID[:3], f.Target.GID[:3], f.OurUID, f.OurGID))
			fix = fmt.Sprintf("run nohupx as root (sudo nohupx -p %d)", f.Pid)
		}
	}
	if sameIDs && f.NotDumpbl && !f.CapPtrace {
		why = append(why, fmt.Sprintf("process %d is not dumpable (it changed its credentials, or called prctl(PR_SET_DUMPABLE, 0)): only a process with CAP_SYS_PTRACE may trace it", f.Pid))
		fix = fmt.Sprintf("run nohupx as root (sudo nohupx -p %d)", f.Pid)
	}
	switch {
	case f.Yama == 3:
		why = append(why, "kernel.yama.ptrace_scope is 3: ptrace is disabled for everyone until the next reboot")
		fix = "nothing can attach to it until the machine is rebooted with a lower kernel.yama.ptrace_scope"
	case f.Yama == 2 && !f.CapPtrace:
		why = append(why, "kernel.yama.ptrace_scope is 2: only processes with CAP_SYS_PTRACE may trace")
		if fix == "" {
			fix = fmt.Sprintf("run nohupx as root (sudo nohupx -p %d)", f.Pid)
		}
	case f.Yama == 1 && !f.CapPtrace && !f.Ancestor:
		why = append(why, fmt.Sprintf("kernel.yama.ptrace_scope is 1: a process may trace only its own descendants, and %d is not a descendant of this nohupx", f.Pid))
		if fix == "" {
			fix = fmt.Sprintf("run nohupx as root (sudo nohupx -p %d), or allow tracing with 'sysctl kernel.yama.ptrace_scope=0'", f.Pid)
		}
	}
	if len(why) == 0 {
		yama := "kernel.yama.ptrace_scope does not exist on this kernel"
		if f.Yama >= 0 {
			yama = fmt.Sprintf("kernel.yama.ptrace_scope is %d", f.Yama)
		}
		if f.CapPtrace {
			why = append(why, "the kernel refused although this nohupx has CAP_SYS_PTRACE and "+yama+
				": a security module (SELinux, AppArmor) or a container's policy forbids it")
			fix = "ask the administrator to allow ptrace for nohupx"
		} else {
			why = append(why, "the kernel refused, and neither the uids nor "+yama+
				" explain it: a security module (SELinux, AppArmor) may forbid it")
			fix = fmt.Sprintf("try as root (sudo nohupx -p %d)", f.Pid)
		}
	}
	return strings.Join(why, "; ") + "; to proceed, " + fix
}
