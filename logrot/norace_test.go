//go:build !race

package logrot

const raceEnabled = false
