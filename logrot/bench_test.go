//go:build linux

package logrot

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The benchmarks move 1 MiB per op; compare their MB/s. All keep every
// byte (Keep 0), as Direct does: a benchmark that deletes backups recycles
// their page cache and is not comparable.

const benchChunk = 1 << 20

// BenchmarkDirect is the limit: the command writing the file itself.
func BenchmarkDirect(b *testing.B) {
	f, err := os.OpenFile(filepath.Join(b.TempDir(), "out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := pattern(0, benchChunk)
	b.SetBytes(benchChunk)
	for b.Loop() {
		if _, err := f.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSink is the relay's write side alone, in this process.
func BenchmarkSink(b *testing.B) {
	for _, max := range []int64{1 << 20, 100 << 20} {
		b.Run(FormatSize(max), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "nohup.out")
			os.WriteFile(path, nil, 0o600)
			s := testSink(b, path, Policy{MaxSize: max})
			if err := s.Open(); err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			buf := pattern(0, benchChunk)
			b.SetBytes(benchChunk)
			for b.Loop() {
				s.Write(buf, nil)
			}
			if s.drop.bytes != 0 {
				b.Fatal(s.dropLine())
			}
		})
	}
}

// BenchmarkRelay is the whole path: this process writes the pipe, the relay
// (this binary re-executed) writes the file; the time includes draining.
func BenchmarkRelay(b *testing.B) {
	for _, max := range []int64{1 << 20, 100 << 20} {
		b.Run(FormatSize(max), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "nohup.out")
			_, w, err := startRelay(path, Policy{MaxSize: max})
			if err != nil {
				b.Fatal(err)
			}
			buf := pattern(0, benchChunk)
			b.SetBytes(benchChunk)
			for b.Loop() {
				if _, err := w.Write(buf); err != nil {
					b.Fatal(err)
				}
			}
			w.Close()
			// A relay that never drains would hang the run; a
			// minute is far beyond any drain of a pipe.
			for deadline := time.Now().Add(time.Minute); len(relayPids(path)) > 0; time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					b.Fatalf("relay of %s still running a minute after its pipe closed", path)
				}
			}
		})
	}
}

// BenchmarkStart is what the relay adds to a command's launch: Start
// returns once the holder runs.
func BenchmarkStart(b *testing.B) {
	path := filepath.Join(b.TempDir(), "nohup.out")
	f, err := openAppend(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	for b.Loop() {
		w, err := Start(f, path, DefaultPolicy)
		if err != nil {
			b.Fatal(err)
		}
		w.Close()
	}
}
