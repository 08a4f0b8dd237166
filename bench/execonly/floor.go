//go:build floor

package main

// Built with -tags floor, execonly links in every package that
// cmd/nohupx imports, and so their package initialisation and that of the
// libraries under them (D-Bus, gzip, inotify, JSON), but still only execs:
// bench/launch.sh reports it as the floor that any launch of the suite's
// binary pays before nohupx does anything.
import (
	_ "github.com/nohupx/nohupx/detach"
	_ "github.com/nohupx/nohupx/internal/reexec"
	_ "github.com/nohupx/nohupx/logrot"
	_ "github.com/nohupx/nohupx/nohupx"
	_ "github.com/nohupx/nohupx/reattach"
	_ "github.com/nohupx/nohupx/setsid"
)
