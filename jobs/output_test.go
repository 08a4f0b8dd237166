package jobs

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nohupx/nohupx/internal/testbin"
)

const secret = "a secret of the reader's, never to be printed\n"

// outputDir is a job's output as the relay leaves it: the job started at
// started, with "before\n" already in its file, which was then rotated
// out at 03:01 (plain) and 03:02 (gzipped); the live file holds "three\n".
// A backup from before the job started holds "old\n". The secret is a
// file of the reader's outside the directory.
type outputDir struct {
	t            *testing.T
	dir, live    string
	secret       string
	job          Job
	started, at1 time.Time
}

func newOutputDir(t *testing.T) *outputDir {
	started := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	d := &outputDir{t: t, dir: t.TempDir(), secret: filepath.Join(t.TempDir(), "secret"), started: started, at1: started.Add(time.Minute)}
	d.live = filepath.Join(d.dir, "job.log")
	d.write(d.secret, secret)
	d.write(d.backup(started.Add(-time.Hour)), "old\n")
	d.write(d.backup(d.at1), "before\none\n")
	d.write(d.backup(started.Add(2*time.Minute))+".gz", d.gzipped("two\n"))
	d.write(d.live, "three\n")
	d.job = Job{Record: Record{ID: "abcd", Pid: 1, Command: []string{"job"}, Output: d.live, Offset: int64(len("before\n")), Started: started}}
	d.job.OutputDev, d.job.OutputIno = d.id(d.backup(d.at1)) // the file the job started with, rotated out since
	d.job.OutputDirDev, d.job.OutputDirIno = d.id(d.dir)
	ended, status := started.Add(time.Hour), 0
	d.job.Ended, d.job.ExitStatus = &ended, &status // Follow stops at the end
	return d
}

// backup is the name the relay gives the backup rotated out at t.
func (d *outputDir) backup(t time.Time) string {
	return filepath.Join(d.dir, "job-"+t.UTC().Format("2006-01-02T15-04-05.000Z")+".log")
}

func (d *outputDir) write(name, data string) {
	d.check(os.WriteFile(name, []byte(data), 0o600))
}

func (d *outputDir) check(err error) {
	if err != nil {
		d.t.Fatal(err)
	}
}

func (d *outputDir) id(name string) (dev, ino uint64) {
	var st syscall.Stat_t
	d.check(syscall.Stat(name, &st))
	return uint64(st.Dev), uint64(st.Ino)
}

func (d *outputDir) fifo(name string) { d.check(syscall.Mkfifo(name, 0o666)) }

func (d *outputDir) symlink(target, name string) { d.check(os.Symlink(target, name)) }

// others makes name a regular file of another user: what anyone may leave
// in a sticky, world-writable directory.
func (d *outputDir) others(name, data string) {
	d.write(name, data)
	if err := os.Chown(name, 65534, 65534); err != nil {
		testbin.Missing(d.t, "cannot give a file to another user (%v): run the tests as root", err)
	}
}

// replaceLive puts what plant makes at the live name instead of its file.
func (d *outputDir) replaceLive(plant func(name string)) {
	d.check(os.Remove(d.live))
	plant(d.live)
}

func (d *outputDir) gzipped(s string) string {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	_, err := z.Write([]byte(s))
	d.check(errors.Join(err, z.Close()))
	return b.String()
}

// within fails the test unless f returns within 10 s: nothing may hang on
// a FIFO.
func within(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("still reading after 10 s: blocked on a FIFO?")
	}
}

// readLog is --log [--lines=lines]: OpenOutput and Copy, and the files it
// skipped.
func readLog(t *testing.T, j Job, lines int) (out string, skipped []string, err error) {
	within(t, func() {
		var o *Output
		if o, err = OpenOutput(j, func(e error) { skipped = append(skipped, e.Error()) }); err != nil {
			return
		}
		defer o.Close()
		var b bytes.Buffer
		err = o.Copy(&b, lines)
		out = b.String()
	})
	return out, skipped, err
}

// checkSkipped fails unless skipped holds one line for each of want, in
// that order, each with its name and why.
func checkSkipped(t *testing.T, skipped []string, want ...string) {
	t.Helper()
	if len(skipped) != len(want) {
		t.Fatalf("skipped %q; want %d files", skipped, len(want))
	}
	for i, w := range want {
		if !strings.Contains(skipped[i], w) {
			t.Errorf("skipped %q; want %q", skipped[i], w)
		}
	}
}

// TestLogReadsOnlyWhatTheRelayMade: --log prints the job's output from
// the backups and the live file the relay made, byte for byte and in
// order, and the file the job started with whoever owns it; it skips,
// once each and saying why, whatever else has a backup's name (a FIFO, a
// symbolic link, a second link, another user's file), and it refuses such
// a thing at the live name. A FIFO never makes it wait.
func TestLogReadsOnlyWhatTheRelayMade(t *testing.T) {
	const all = "one\ntwo\nthree\n"
	mid := func(d *outputDir) string { return d.backup(d.at1.Add(30 * time.Second)) }
	late := func(d *outputDir) string { return d.backup(time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)) }
	tests := []struct {
		name    string
		plant   func(d *outputDir)
		old     bool   // a record from before the file's identity was kept
		out     string // what is printed
		skipped []string
		err     string // OpenOutput's refusal
	}{
		{name: "the relay's files", out: all},
		{name: "FIFOs", plant: func(d *outputDir) { d.fifo(mid(d)); d.fifo(late(d)) }, out: all,
			skipped: []string{"03-01-30.000Z.log': it is a FIFO, not a regular file", "2099-01-01T00-00-00.000Z.log': it is a FIFO"}},
		{name: "symbolic links to a file outside", plant: func(d *outputDir) { d.symlink(d.secret, mid(d)); d.symlink(d.secret, late(d)+".gz") }, out: all,
			skipped: []string{"03-01-30.000Z.log': it is a symbolic link", "2099-01-01T00-00-00.000Z.log.gz': it is a symbolic link"}},
		{name: "a symbolic link to the live file", plant: func(d *outputDir) { d.symlink(d.live, mid(d)) }, out: all,
			skipped: []string{"03-01-30.000Z.log': it is a symbolic link"}},
		{name: "a second link to a file outside", plant: func(d *outputDir) { d.check(os.Link(d.secret, mid(d))) }, out: all,
			skipped: []string{"03-01-30.000Z.log': not made by the relay (2 hard links)"}},
		{name: "files of another user", plant: func(d *outputDir) { d.others(mid(d), "planted\n"); d.others(late(d)+".gz", d.gzipped("planted\n")) }, out: all,
			skipped: []string{"03-01-30.000Z.log': not made by the relay (owned by uid 65534)", "2099-01-01T00-00-00.000Z.log.gz': not made by the relay (owned by uid 65534)"}},
		{name: "a file of another user beside the relay's .gz", plant: func(d *outputDir) { d.others(d.backup(d.started.Add(2*time.Minute)), "planted\n") },
			out: all, skipped: []string{"03-02-00.000Z.log': not made by the relay (owned by uid 65534)"}},
		{name: "the live name: a symbolic link to a file outside", plant: func(d *outputDir) { d.replaceLive(func(n string) { d.symlink(d.secret, n) }) },
			err: "job.log': it is a symbolic link to another file than the one the job started with"},
		{name: "the live name: a FIFO", plant: func(d *outputDir) { d.replaceLive(d.fifo) }, err: "job.log': it is a FIFO, not a regular file"},
		{name: "the live name: a file of another user", plant: func(d *outputDir) { d.replaceLive(func(n string) { d.others(n, "planted\n") }) },
			err: "job.log': not the file the job started with, and not made by the relay (owned by uid 65534)"},
		{name: "the live name: a symbolic link to the job's file", plant: func(d *outputDir) {
			target := filepath.Join(filepath.Dir(d.secret), "named.log")
			d.write(target, "named\n")
			d.replaceLive(func(n string) { d.symlink(target, n) })
			d.job.OutputDev, d.job.OutputIno = d.id(target)
		}, out: "one\ntwo\nnamed\n"},
		{name: "the job's file, of another user", plant: func(d *outputDir) {
			d.others(d.live, "named\n")
			d.job.OutputDev, d.job.OutputIno = d.id(d.live)
		}, out: "one\ntwo\nnamed\n"},
		{name: "old record: the relay's files", old: true, out: all},
		{name: "old record: the live name, a file of another user", old: true, plant: func(d *outputDir) { d.others(d.live, "planted\n") },
			err: "job.log': not made by the relay (owned by uid 65534)"},
		{name: "old record: the live name, a symbolic link", old: true, plant: func(d *outputDir) { d.replaceLive(func(n string) { d.symlink(d.secret, n) }) },
			err: "job.log': it is a symbolic link, and the job's record is too old to say where it should lead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newOutputDir(t)
			if tt.plant != nil {
				tt.plant(d)
			}
			if tt.old {
				d.job.OutputDev, d.job.OutputIno = 0, 0
			}
			out, skipped, err := readLog(t, d.job, -1)
			if tt.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), "not reading '"+d.live+"'") || !strings.HasSuffix(err.Error(), tt.err) {
					t.Errorf("err = %v; want not reading ...%s", err, tt.err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if out != tt.out {
				t.Errorf("printed %q; want %q", out, tt.out)
			}
			checkSkipped(t, skipped, tt.skipped...)
			if tt.err == "" {
				last, skipped, err := readLog(t, d.job, 2)
				if lines := strings.SplitAfter(tt.out, "\n"); err != nil || last != strings.Join(lines[len(lines)-3:], "") {
					t.Errorf("--lines=2 printed %q, %v; want the last 2 lines of %q", last, err, tt.out)
				}
				checkSkipped(t, skipped, tt.skipped...)
			}
		})
	}
}

// TestFollowReadsOnlyWhatTheRelayMade: after the files were read, --follow
// goes on across rotations, and the same rules hold for the backups that
// appeared meanwhile and for what is at the live name now. A name planted
// just before the backup of the file just read must not be taken for it.
func TestFollowReadsOnlyWhatTheRelayMade(t *testing.T) {
	at := func(d *outputDir, s int) string { return d.backup(d.started.Add(time.Duration(s) * time.Second)) }
	rotate := func(d *outputDir, s int, next string) {
		d.check(os.Rename(d.live, at(d, s)))
		d.write(d.live, next)
	}
	rotations := func(d *outputDir) { rotate(d, 180, "four\n"); rotate(d, 240, "five\n") }
	late := func(d *outputDir) string { return d.backup(time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)) }
	tests := []struct {
		name    string
		early   func(d *outputDir) // before the first read
		plant   func(d *outputDir) // after it
		out     string             // what Follow prints
		skipped []string
		err     string
	}{
		{name: "rotations", plant: rotations, out: "four\nfive\n"},
		{name: "rotations, a FIFO and a symbolic link planted", plant: func(d *outputDir) {
			rotations(d)
			d.fifo(at(d, 150))
			d.symlink(d.secret, late(d))
		}, out: "four\nfive\n", skipped: []string{"03-02-30.000Z.log': it is a FIFO", "2099-01-01T00-00-00.000Z.log': it is a symbolic link"}},
		{name: "a FIFO named far ahead, then rotations", early: func(d *outputDir) { d.fifo(late(d)) }, plant: rotations, out: "four\nfive\n",
			skipped: []string{"2099-01-01T00-00-00.000Z.log': it is a FIFO"}},
		{name: "rotations, a file of another user planted", plant: func(d *outputDir) {
			rotations(d)
			d.others(at(d, 150), "planted\n")
		}, out: "four\nfive\n", skipped: []string{"03-02-30.000Z.log': not made by the relay (owned by uid 65534)"}},
		{name: "the live name: then a symbolic link to a file outside", plant: func(d *outputDir) { d.replaceLive(func(n string) { d.symlink(d.secret, n) }) },
			err: "job.log': it is a symbolic link to another file than the one the job started with"},
		{name: "the live name: then a FIFO", plant: func(d *outputDir) { d.replaceLive(d.fifo) }, err: "job.log': it is a FIFO, not a regular file"},
		{name: "the live name: then a file of another user", plant: func(d *outputDir) { d.replaceLive(func(n string) { d.others(n, "planted\n") }) },
			err: "job.log': not the file the job started with, and not made by the relay (owned by uid 65534)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newOutputDir(t)
			if tt.early != nil {
				tt.early(d)
			}
			var skipped []string
			var o *Output
			var err error
			within(t, func() {
				if o, err = OpenOutput(d.job, func(e error) { skipped = append(skipped, e.Error()) }); err == nil {
					err = o.Copy(&bytes.Buffer{}, -1)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			defer o.Close()
			tt.plant(d)
			var b bytes.Buffer
			within(t, func() { err = o.Follow(&b, time.Millisecond) })
			if tt.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), "not reading '"+d.live+"'") || !strings.HasSuffix(err.Error(), tt.err) {
					t.Errorf("err = %v; want not reading ...%s", err, tt.err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.out {
				t.Errorf("followed %q; want %q", b.String(), tt.out)
			}
			checkSkipped(t, skipped, tt.skipped...)
		})
	}
}

// TestOpenMade: the check on the file opened, which holds even when a
// name changes after the listing looked at it. A FIFO never makes it wait.
func TestOpenMade(t *testing.T) {
	tests := []struct {
		name string
		make func(d *outputDir, name string)
		why  string // "" for a file the relay made
	}{
		{"a file of ours", func(d *outputDir, n string) { d.write(n, "ours\n") }, ""},
		{"a FIFO", func(d *outputDir, n string) { d.fifo(n) }, "it is a FIFO, not a regular file"},
		{"a directory", func(d *outputDir, n string) { d.check(os.Mkdir(n, 0o700)) }, "it is a directory, not a regular file"},
		{"a symbolic link to a file of ours", func(d *outputDir, n string) { d.symlink(d.secret, n) }, "it is a symbolic link"},
		{"a second link to a file of ours", func(d *outputDir, n string) { d.check(os.Link(d.secret, n)) }, "not made by the relay (2 hard links)"},
		{"a file of another user", func(d *outputDir, n string) { d.others(n, "planted\n") }, "not made by the relay (owned by uid 65534)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newOutputDir(t)
			name := filepath.Join(d.dir, "b")
			tt.make(d, name)
			var f *os.File
			var err error
			dir, derr := d.job.openDir()
			if derr != nil {
				t.Fatal(derr)
			}
			defer dir.Close()
			within(t, func() { f, err = dir.openMade(name) })
			if f != nil {
				f.Close()
			}
			if tt.why == "" && err != nil || tt.why != "" && (err == nil || err.Error() != "'"+name+"': "+tt.why) {
				t.Errorf("openMade = %v; want %q", err, tt.why)
			}
		})
	}
}

// TestLogDirectorySwapped: another user who can rename a directory on the
// path puts a link to a directory of ours there, holding files of ours
// under the relay's names; --log reads none of them, and says why: from a
// record that knows the directory, none of that directory; from one that
// knows only the job's file, nothing but that file.
func TestLogDirectorySwapped(t *testing.T) {
	for _, known := range []bool{true, false} {
		d := newOutputDir(t)
		if !known {
			d.job.OutputDirDev, d.job.OutputDirIno = 0, 0
		}
		ours := t.TempDir()
		d.write(filepath.Join(ours, "job.log"), secret)
		d.check(os.Rename(d.dir, d.dir+".moved"))
		d.symlink(ours, d.dir)
		out, _, err := readLog(t, d.job, -1)
		switch {
		case known && (err == nil || err.Error() != "not reading '"+d.dir+"': it is no longer the directory the job's output went to"):
			t.Errorf("known directory: printed %q, %v; want the directory refused", out, err)
		case known && strings.Contains(out, secret):
			t.Errorf("known directory: printed %q; want nothing of ours from elsewhere", out)
		case !known && (err == nil || !strings.HasSuffix(err.Error(), "not the file the job started with, and its directory is not known to be the job's (the output was named through a link)")):
			t.Errorf("unknown directory: printed %q, %v; want the live name refused", out, err)
		case strings.Contains(out, secret[10:]):
			t.Errorf("printed %q; want nothing of ours from elsewhere", out)
		}
	}
}

// TestLogDirectoryFIFO: a FIFO put where the output's directory was makes
// --log fail at once; open(2) of a FIFO would wait for a writer.
func TestLogDirectoryFIFO(t *testing.T) {
	d := newOutputDir(t)
	d.check(os.Rename(d.dir, d.dir+".moved"))
	d.fifo(d.dir)
	var err error
	within(t, func() { _, _, err = readLog(t, d.job, -1) })
	if err == nil {
		t.Error("--log read through a FIFO at the directory's name")
	}
}

// TestBackupsListedFromTheDirectory: once --log has opened the job's
// directory, the backups are listed from it, not by path: a directory
// swapped in under the path afterwards (during --follow) cannot add a
// name, dated ahead, that moves --follow past the real backups.
func TestBackupsListedFromTheDirectory(t *testing.T) {
	d := newOutputDir(t)
	o, err := OpenOutput(d.job, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	other := t.TempDir()
	planted := filepath.Join(other, "job-2099-01-01T00-00-00.000Z.log")
	d.write(planted, "planted\n")
	d.check(os.Rename(d.dir, d.dir+".moved"))
	d.symlink(other, d.dir)
	list, err := o.dir.backups(d.job.Output)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Errorf("%d backups %v; want the job directory's 3", len(list), list)
	}
	for _, b := range list {
		if b.Time.Year() == 2099 {
			t.Errorf("listed %s, planted in the directory swapped in", b.Name)
		}
	}
}
