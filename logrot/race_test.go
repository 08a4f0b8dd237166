//go:build race

package logrot

// raceEnabled shrinks the streams: the race detector slows the relay, which
// is this same binary, several times.
const raceEnabled = true
