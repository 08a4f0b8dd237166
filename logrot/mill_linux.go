package logrot

import (
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// mill applies Keep, MaxAge and Compress to the backups of one log.
//
// lumberjack has a mill of its own, but it runs in a goroutine that Close
// does not wait for: a relay that exits right after a rotation (a job that
// ends with a burst of output) left more backups than Keep and a half
// written .gz beside its original (measured). This one also works in the
// background, so that gzipping a large backup never stalls the relay's
// reading and so the command, but close waits for it to finish.
//
// A .gz is written under a hidden temporary name and renamed into place,
// so a backup is at every moment either whole and plain or whole and
// gzipped.
type mill struct {
	names    *backupNamer
	keep     int
	maxAge   time.Duration
	compress bool
	now      func() time.Time
	kick     chan struct{}
	done     chan struct{}
}

func startMill(names *backupNamer, p Policy, now func() time.Time) *mill {
	p = p.Rounded()
	m := &mill{names: names, keep: p.Keep, maxAge: p.MaxAge, compress: p.Compress, now: now,
		kick: make(chan struct{}, 1), done: make(chan struct{})}
	go m.run()
	return m
}

// poke asks for a pass; passes asked for while one runs fold into one.
func (m *mill) poke() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// close runs a last pass and waits for it.
func (m *mill) close() {
	m.poke()
	close(m.kick)
	<-m.done
}

func (m *mill) run() {
	defer close(m.done)
	for range m.kick {
		m.pass()
	}
}

type backup struct {
	path string // without .gz
	t    time.Time
	gz   bool // only the .gz exists
}

// pass removes what Keep and MaxAge no longer allow, newest first, and
// gzips the rest. Errors are left for the next pass: nothing here can lose
// data the policy keeps.
func (m *mill) pass() {
	ents, err := os.ReadDir(m.names.dir)
	if err != nil {
		return
	}
	byPath := map[string]*backup{}
	for _, e := range ents {
		t, ok := m.names.parse(e.Name())
		if !ok {
			continue
		}
		p := filepath.Join(m.names.dir, strings.TrimSuffix(e.Name(), compressSuffix))
		b := byPath[p]
		if b == nil {
			b = &backup{path: p, t: t, gz: true}
			byPath[p] = b
		}
		if !strings.HasSuffix(e.Name(), compressSuffix) {
			b.gz = false
			// A .gz beside its original is what an interrupted
			// lumberjack mill leaves: partial. The original wins.
			os.Remove(p + compressSuffix)
		}
	}
	list := make([]*backup, 0, len(byPath))
	for _, b := range byPath {
		list = append(list, b)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].t.After(list[j].t) })
	for i, b := range list {
		old := m.maxAge > 0 && m.now().Sub(b.t) > m.maxAge
		switch {
		case (m.keep > 0 && i >= m.keep) || old:
			os.Remove(b.path)
			os.Remove(b.path + compressSuffix)
		case m.compress && !b.gz:
			gzipFile(b.path)
		}
	}
}

// gzipFile replaces path by path.gz, keeping its mode.
func gzipFile(path string) error {
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+compressSuffix+".tmp")
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, st.Mode().Perm())
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(out)
	_, err = io.Copy(zw, in)
	err = errors.Join(err, zw.Close())
	if err == nil {
		err = out.Sync()
	}
	err = errors.Join(err, out.Close())
	if err == nil {
		err = os.Rename(tmp, path+compressSuffix)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Remove(path)
}
