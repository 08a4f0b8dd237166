// Package pathsearch runs a command the way glibc's execvp does, which is
// what GNU nohup and util-linux setsid use and what their users rely on.
// Go's exec.LookPath differs in four ways that matter to a drop-in:
//
//   - a file that the kernel refuses with ENOEXEC (no "#!" line) is run
//     by /bin/sh, as POSIX asks of execvp;
//   - an empty PATH element means the current directory;
//   - a candidate refused with EACCES is remembered and the search goes on,
//     and EACCES is reported only if nothing later succeeds;
//   - with PATH unset the search uses confstr(_CS_PATH), "/bin:/usr/bin".
package pathsearch

import (
	"errors"
	"os"
	"strings"
	"syscall"
)

// DefaultPath is glibc's _CS_PATH, used when PATH is not set.
const DefaultPath = "/bin:/usr/bin"

// nameMax is NAME_MAX; glibc refuses longer command names before searching.
const nameMax = 255

// shell runs files that have no "#!" line.
const shell = "/bin/sh"

// Exec replaces the process image with file, found as execvp finds it,
// with argv and env. It returns only if nothing could be executed; the error
// is the errno execvp would have left (ENOENT, EACCES, …).
func Exec(file string, argv, env []string) error {
	return Search(file, argv, env, syscall.Exec)
}

// Candidates lists the paths execvp would try for file, in order.
func Candidates(file string) []string {
	if file == "" {
		return nil
	}
	if strings.Contains(file, "/") {
		return []string{file}
	}
	path, ok := os.LookupEnv("PATH")
	if !ok {
		path = DefaultPath
	}
	var c []string
	for _, dir := range strings.Split(path, ":") {
		if dir == "" {
			c = append(c, file)
		} else {
			c = append(c, dir+"/"+file)
		}
	}
	return c
}

// ExecFunc runs one candidate path. It returns nil if the command is now
// running (a fork+exec that succeeded; syscall.Exec never returns nil), or
// the errno of the failed execve.
type ExecFunc func(path string, argv, env []string) error

// Search tries the candidates for file with exec, in execvp's order and
// with its rules, until one runs. It returns nil as soon as exec does.
func Search(file string, argv, env []string, exec ExecFunc) error {
	if file == "" {
		return syscall.ENOENT
	}
	if !strings.Contains(file, "/") && len(file) > nameMax {
		return syscall.ENAMETOOLONG
	}
	sawEACCES := false
	var last error = syscall.ENOENT
	for _, path := range Candidates(file) {
		err := try(path, argv, env, exec)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EACCES):
			sawEACCES = true
		case errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.ESTALE),
			errors.Is(err, syscall.ENOTDIR), errors.Is(err, syscall.ENODEV),
			errors.Is(err, syscall.ETIMEDOUT):
			// Not here: keep looking, as execvp does.
		default:
			// Something was found but cannot run (E2BIG, ETXTBSY, ELOOP…):
			// execvp gives up at once with that error.
			return err
		}
		last = err
	}
	if sawEACCES {
		return syscall.EACCES
	}
	return last
}

// try executes path, and on ENOEXEC runs it as a shell script, as execvp
// does: argv becomes [/bin/sh, path, argv[1:]...].
func try(path string, argv, env []string, exec ExecFunc) error {
	err := exec(path, argv, env)
	if !errors.Is(err, syscall.ENOEXEC) {
		return err
	}
	shArgv := append([]string{shell, path}, argv[1:]...)
	return exec(shell, shArgv, env)
}
