package inject

import (
	"strings"
	"testing"

	"github.com/nohupx/nohupx/internal/procfs"
)

func TestExplainPermission(t *testing.T) {
	user := func(st procfs.Status) procfs.Status { return st }
	root := procfs.Status{UID: [4]int{0, 0, 0, 0}}
	alice := procfs.Status{UID: [4]int{1000, 1000, 1000, 1000}, GID: [4]int{1000, 1000, 1000, 1000}}
	setuid := procfs.Status{UID: [4]int{1000, 0, 0, 0}, GID: [4]int{1000, 1000, 1000, 1000}}
	names := func(uid int) string { return map[int]string{0: "root", 1000: "alice", 65534: "nobody"}[uid] }
	tests := []struct {
		name string
		f    permFacts
		want []string // substrings, in order
	}{
		{"another user", permFacts{Pid: 7, Yama: -1, OurUID: 65534, OurGID: 65534, Target: user(root), UserName: names},
			[]string{"uid 0 (root)", "uid 65534 (nobody)", "CAP_SYS_PTRACE", "sudo nohupx -p 7"}},
		{"setuid program", permFacts{Pid: 7, Yama: 0, OurUID: 1000, OurGID: 1000, Target: setuid},
			[]string{"setuid or setgid", "CAP_SYS_PTRACE", "sudo"}},
		{"not dumpable", permFacts{Pid: 7, Yama: 0, OurUID: 1000, OurGID: 1000, Target: alice, NotDumpbl: true},
			[]string{"not dumpable", "PR_SET_DUMPABLE", "sudo"}},
		{"yama 1", permFacts{Pid: 7, Yama: 1, OurUID: 1000, OurGID: 1000, Target: alice},
			[]string{"kernel.yama.ptrace_scope is 1", "descendant", "sysctl kernel.yama.ptrace_scope=0"}},
		{"yama 1, an ancestor", permFacts{Pid: 7, Yama: 1, OurUID: 1000, OurGID: 1000, Target: alice, Ancestor: true},
			[]string{"kernel.yama.ptrace_scope is 1", "security module"}},
		{"yama 2", permFacts{Pid: 7, Yama: 2, OurUID: 1000, OurGID: 1000, Target: alice},
			[]string{"kernel.yama.ptrace_scope is 2", "CAP_SYS_PTRACE", "sudo"}},
		{"yama 3", permFacts{Pid: 7, Yama: 3, OurUID: 0, CapPtrace: true, Target: alice},
			[]string{"kernel.yama.ptrace_scope is 3", "reboot"}},
		{"root refused", permFacts{Pid: 7, Yama: -1, OurUID: 0, CapPtrace: true, Target: alice},
			[]string{"has CAP_SYS_PTRACE", "does not exist", "SELinux"}},
		{"self", permFacts{Pid: 7, Self: true}, []string{"this nohupx"}},
	}
	for _, tt := range tests {
		got := explainPermission(tt.f)
		rest := got
		for _, w := range tt.want {
			i := strings.Index(rest, w)
			if i < 0 {
				t.Errorf("%s: explainPermission = %q; want %q in it (in order)", tt.name, got, w)
				break
			}
			rest = rest[i+len(w):]
		}
	}
}
