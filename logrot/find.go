package logrot

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
)

// The hidden re-exec stages (registered with internal/reexec by the Linux
// build). Their argv is the stage name and the log file, so that ps shows
// where output goes and FindRelays can find the writer of a file.
const (
	SpawnStage  = "nohupx:relay-spawn" // runs SpawnMain
	HolderStage = "nohupx:relay-hold"  // runs HolderMain
	RelayStage  = "nohupx:relay"       // runs RelayMain: the writer
)

// ErrNotRotatable is returned by Start for a file the relay must not
// rotate; the error says why.
var ErrNotRotatable = errors.New("not rotated")

// ErrNoRelay is returned by RotateNow when no relay writes the file.
var ErrNoRelay = errors.New("no log relay writes this file")

// canonical is the absolute path with symbolic links in its directory
// resolved, as far as they resolve: the name the relay is given and
// FindRelays compares with. The last component is kept as it is.
func canonical(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs)), nil
	}
	return abs, nil
}

// relayOf reads a /proc/PID/cmdline and returns the stage and the log file
// if it is the command line of a relay process.
func relayOf(cmdline io.Reader) (stage, path string, ok bool) {
	data, err := io.ReadAll(io.LimitReader(cmdline, 64<<10))
	if err != nil {
		return "", "", false
	}
	argv := bytes.Split(bytes.TrimSuffix(data, []byte{0}), []byte{0})
	if len(argv) != 2 || (string(argv[0]) != RelayStage && string(argv[0]) != HolderStage) {
		return "", "", false
	}
	return string(argv[0]), string(argv[1]), true
}

// Relay is a running relay process and the file it writes.
type Relay struct {
	Pid    int
	Path   string
	Holder bool // the holder, rather than the writer
}

// findIn lists the relay processes in the procfs mounted at proc.
func findIn(proc string) ([]Relay, error) {
	ents, err := os.ReadDir(proc)
	if err != nil {
		return nil, err
	}
	var relays []Relay
	for _, e := range ents {
		pid := 0
		for _, c := range e.Name() {
			if c < '0' || c > '9' {
				pid = -1
				break
			}
			pid = pid*10 + int(c-'0')
		}
		if pid <= 0 {
			continue
		}
		f, err := os.Open(filepath.Join(proc, e.Name(), "cmdline"))
		if err != nil {
			continue // gone, or not ours to read
		}
		stage, path, ok := relayOf(f)
		f.Close()
		if ok {
			relays = append(relays, Relay{Pid: pid, Path: path, Holder: stage == HolderStage})
		}
	}
	return relays, nil
}
