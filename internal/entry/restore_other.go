//go:build !linux || !(amd64 || arm64)

package entry

// IgnoreAgain does nothing here: there is no entry point for this system,
// so nothing was recorded.
func IgnoreAgain() {}

// BlockAgain does nothing here, as IgnoreAgain.
func BlockAgain() {}

// CloseAgain does nothing here, as IgnoreAgain.
func CloseAgain(keep ...int) {}
