package pathsearch

import (
	"errors"
	"slices"
	"syscall"
	"testing"
)

// fakeFS answers execve for the paths it knows and ENOENT otherwise.
type fakeFS map[string]error

func (f fakeFS) exec(tried *[]string) ExecFunc {
	return func(path string, argv, env []string) error {
		*tried = append(*tried, path+" "+argv[0])
		if err, ok := f[path]; ok {
			return err
		}
		return syscall.ENOENT
	}
}

var errRan = errors.New("ran") // stands for a successful exec

func TestSearch(t *testing.T) {
	tests := []struct {
		name  string
		path  *string // nil: PATH unset
		file  string
		fs    fakeFS
		want  error
		tried []string
	}{
		{name: "found in second dir", path: ptr("/a:/b"), file: "cmd",
			fs: fakeFS{"/b/cmd": errRan}, want: errRan, tried: []string{"/a/cmd cmd", "/b/cmd cmd"}},
		{name: "empty element is cwd", path: ptr("/a::/b"), file: "cmd",
			fs: fakeFS{"cmd": errRan}, want: errRan, tried: []string{"/a/cmd cmd", "cmd cmd"}},
		{name: "unset PATH", path: nil, file: "cmd",
			fs: fakeFS{"/usr/bin/cmd": errRan}, want: errRan, tried: []string{"/bin/cmd cmd", "/usr/bin/cmd cmd"}},
		{name: "EACCES remembered, search goes on", path: ptr("/a:/b"), file: "cmd",
			fs: fakeFS{"/a/cmd": syscall.EACCES, "/b/cmd": errRan}, want: errRan, tried: []string{"/a/cmd cmd", "/b/cmd cmd"}},
		{name: "EACCES reported at the end", path: ptr("/a:/b"), file: "cmd",
			fs: fakeFS{"/a/cmd": syscall.EACCES}, want: syscall.EACCES, tried: []string{"/a/cmd cmd", "/b/cmd cmd"}},
		{name: "ENOEXEC runs /bin/sh", path: ptr("/a"), file: "cmd",
			fs: fakeFS{"/a/cmd": syscall.ENOEXEC, "/bin/sh": errRan}, want: errRan, tried: []string{"/a/cmd cmd", "/bin/sh /bin/sh"}},
		{name: "other errors stop the search", path: ptr("/a:/b"), file: "cmd",
			fs: fakeFS{"/a/cmd": syscall.ETXTBSY, "/b/cmd": errRan}, want: syscall.ETXTBSY, tried: []string{"/a/cmd cmd"}},
		{name: "ENOTDIR goes on and is last", path: ptr("/a"), file: "cmd",
			fs: fakeFS{"/a/cmd": syscall.ENOTDIR}, want: syscall.ENOTDIR, tried: []string{"/a/cmd cmd"}},
		{name: "slash means no search", path: ptr("/a"), file: "./cmd",
			fs: fakeFS{}, want: syscall.ENOENT, tried: []string{"./cmd ./cmd"}},
		{name: "empty name", path: ptr("/a"), file: "", fs: fakeFS{}, want: syscall.ENOENT},
		{name: "a fork+exec that started stops the search", path: ptr("/a:/b"), file: "cmd",
			fs: fakeFS{"/a/cmd": nil, "/b/cmd": errRan}, want: nil, tried: []string{"/a/cmd cmd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.path == nil {
				t.Setenv("PATH", "")
				syscall.Unsetenv("PATH")
			} else {
				t.Setenv("PATH", *tt.path)
			}
			var tried []string
			err := Search(tt.file, []string{tt.file}, nil, tt.fs.exec(&tried))
			if !errors.Is(err, tt.want) || !slices.Equal(tried, tt.tried) {
				t.Errorf("search(%q) = %v after %q; want %v after %q", tt.file, err, tried, tt.want, tt.tried)
			}
		})
	}
}

func ptr(s string) *string { return &s }
