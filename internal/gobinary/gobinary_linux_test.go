package gobinary

import (
	"bytes"
	"os"
	"testing"
)

// FuzzIsGoELF: no input makes the ELF parser panic (or, by its bounds,
// allocate much or loop long).
func FuzzIsGoELF(f *testing.F) {
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		f.Fatal(err)
	}
	f.Add(self[:min(len(self), 4096)])
	f.Add([]byte{})
	f.Add([]byte("\x7fELF"))
	f.Add([]byte("\x7fELF\x01\x01\x01"))
	f.Add([]byte("\x7fELF\x02\x02\x01"))
	f.Add([]byte("#!/bin/sh\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		isGoELF(bytes.NewReader(data))
	})
}
