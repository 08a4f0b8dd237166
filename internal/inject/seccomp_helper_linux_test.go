//go:build linux && (amd64 || arm64)

package inject

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// seccompSleep is the helper "seccomp:ACTION:DENIED": it installs a
// seccomp filter on all its threads, then sleeps as sleepLoop does (the
// thread is taken at the entry of restart_syscall). The filter is shaped
// like the default-deny ones of Docker, systemd and nspawn for what the
// injection can meet: numbers outside the table (-1 included, which
// libseccomp filters send to their default action) and the call DENIED
// get ACTION (errno: EPERM, enosys: ENOSYS, trap: SIGSYS, kill: the
// process, killthread: the calling thread); the rest, which the Go runtime
// needs, is allowed.
func seccompSleep(mode string) {
	f := strings.Split(mode, ":")
	action := map[string]uint32{
		"errno":      unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM),
		"enosys":     unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS),
		"trap":       unix.SECCOMP_RET_TRAP,
		"kill":       unix.SECCOMP_RET_KILL_PROCESS,
		"killthread": unix.SECCOMP_RET_KILL_THREAD,
	}[f[1]]
	denied := map[string]uint32{"openat": unix.SYS_OPENAT, "": ^uint32(0)}[f[2]]
	arch := uint32(unix.AUDIT_ARCH_X86_64)
	if runtime.GOARCH == "arm64" {
		arch = unix.AUDIT_ARCH_AARCH64
	}
	prog := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 4}, // seccomp_data.arch
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: arch, Jt: 1},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_KILL_PROCESS},
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 0},                  // seccomp_data.nr
		{Code: unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K, K: 0x40000000, Jt: 1}, // x32 bit, -1, unknown
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: denied, Jf: 1},
		{Code: unix.BPF_RET | unix.BPF_K, K: action},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW},
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		fmt.Printf("BAD no_new_privs: %v\n", err)
		os.Exit(1)
	}
	// TSYNC: every thread of the process, as a sandbox would have it.
	if _, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC,
		uintptr(unsafe.Pointer(&fprog))); e != 0 {
		fmt.Printf("BAD seccomp: %v\n", e)
		os.Exit(1)
	}
	sleepLoop()
}
