package reattach

import (
	"bytes"
	"strings"
	"testing"
)

// The parsers of what the kernel and other tools report: none may panic.

func FuzzParseSockDiag(f *testing.F) {
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0x10, 0, 0, 0}, 8))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = parseSockDiag(b) })
}

func FuzzParseFanotify(f *testing.F) {
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0x18, 0, 0, 0, 3, 0, 0, 0}, 4))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = parseFanotify(b) })
}

func FuzzParseProcNetUnix(f *testing.F) {
	f.Add("Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 12345 /tmp/tmux-0/default\n")
	f.Fuzz(func(t *testing.T, s string) { _, _ = parseProcNetUnix(strings.NewReader(s)) })
}

func FuzzParseLsof(f *testing.F) {
	f.Add("p42\ncscreen\nf5\ntunix\nn/tmp/x\n")
	f.Fuzz(func(t *testing.T, s string) { _, _ = parseLsof(strings.NewReader(s)) })
}

func FuzzParseSystemctlShow(f *testing.F) {
	f.Add("ExecMainStartTimestamp=Fri 2026-12-04 03:10:00 UTC\nActiveState=inactive\n")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = parseSystemctlShow("systemd-tmpfiles-clean.service", strings.NewReader(s))
	})
}

func FuzzParseOptions(f *testing.F) {
	f.Add("--watch\x00--list")
	f.Add("--timeout=2s\x00-n")
	f.Fuzz(func(t *testing.T, s string) { _, _, _ = parse("reattach-sock", strings.Split(s, "\x00"), 1000) })
}
