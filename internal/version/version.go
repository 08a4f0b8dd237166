// Package version holds the release version, set at link time by
// goreleaser with -ldflags "-X github.com/nohupx/nohupx/internal/version.Version=…".
package version

// Version is the release version of the nohupx suite.
var Version = "0.1.0-dev"
