package logrot

import (
	"fmt"
	"strconv"

	"github.com/nohupx/nohupx/internal/getopt"
)

// Options are the rotation options the applets that write a log share
// (nohupx, detach), so that they are spelled, parsed and refused alike.
var Options = []getopt.Spec{
	{Long: "max-size", Arg: true},
	{Long: "keep", Arg: true},
	{Long: "max-age", Arg: true},
	{Long: "compress"},
}

// Set applies the rotation option name (one of Options) with its value.
// It reports false for a name that is not a rotation option. Every error
// names the option.
func (p *Policy) Set(name, value string) (bool, error) {
	switch name {
	case "max-size":
		n, err := ParseSize(value)
		if err != nil {
			return true, fmt.Errorf("--max-size: %w", err)
		}
		if n <= 0 || n > maxSize {
			return true, fmt.Errorf("--max-size: %w %q: want 1 byte to %s", ErrBadSize, value, FormatSize(maxSize))
		}
		p.MaxSize = n
	case "keep":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			return true, fmt.Errorf("--keep: invalid number of backups %q: want 0 (all) or more", value)
		}
		p.Keep = n
	case "max-age":
		d, err := ParseAge(value)
		if value == "0" { // no limit, as --keep=0 keeps all; 0d says the same
			d, err = 0, nil
		}
		if err != nil {
			return true, fmt.Errorf("--max-age: %w", err)
		}
		p.MaxAge = d
	case "compress":
		p.Compress = true
	default:
		return false, nil
	}
	return true, nil
}
