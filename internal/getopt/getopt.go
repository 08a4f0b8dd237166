// Package getopt parses options the way glibc's getopt_long does with a
// leading "+" in the option string: options come first, parsing stops at the
// first non-option word (that word is the COMMAND, and everything after it
// belongs to the command), and "--" ends the options and is consumed.
//
// The applets are drop-ins for GNU nohup and util-linux setsid, whose users
// and scripts see getopt's exact diagnostics, accept unique prefixes of long
// options (--ver), bundled short options (-fw) and -oVALUE; so the messages
// below are glibc's, word for word.
package getopt

import (
	"fmt"
	"strings"
)

// Spec describes one option. Long is the name without "--", Short the
// letter (0 for none). An option with Arg takes a required value.
type Spec struct {
	Long  string
	Short byte
	Arg   bool
}

// Opt is one parsed option, named by its Long name (or its Short letter
// when it has none), with its value.
type Opt struct {
	Name  string
	Value string
	// Word is how it was written: the whole "--name[=value]" word, or
	// "-c" for a short option, for messages about it.
	Word string
}

// Unknown is the error getopt would have given for o had its option not
// been in the table: for an option that exists only in some modes.
func Unknown(o Opt) error {
	if strings.HasPrefix(o.Word, "--") {
		return usage("unrecognized option '%s'", o.Word)
	}
	return usage("invalid option -- '%s'", strings.TrimPrefix(o.Word, "-"))
}

// Error is a usage error with glibc's wording, without the program prefix.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func usage(format string, a ...any) error { return &Error{Msg: fmt.Sprintf(format, a...)} }

// Parse parses the options at the front of args (argv without argv[0]) and
// returns them with the remaining operands. It stops at the first error.
func Parse(args []string, specs []Spec) (opts []Opt, rest []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return opts, args[i+1:], nil
		case strings.HasPrefix(a, "--"):
			o, used, err := long(a, args[i+1:], specs)
			if err != nil {
				return opts, nil, err
			}
			opts = append(opts, o)
			i += used
		case len(a) > 1 && a[0] == '-':
			got, used, err := short(a[1:], args[i+1:], specs)
			opts = append(opts, got...)
			if err != nil {
				return opts, nil, err
			}
			i += used
		default:
			return opts, args[i:], nil
		}
	}
	return opts, nil, nil
}

// long parses one "--name[=value]" word; used is how many following words
// it consumed as its value.
func long(word string, next []string, specs []Spec) (o Opt, used int, err error) {
	name, value, hasValue := strings.Cut(word[2:], "=")
	s, err := match(name, word, specs)
	if err != nil {
		return o, 0, err
	}
	switch {
	case !s.Arg && hasValue:
		return o, 0, usage("option '--%s' doesn't allow an argument", s.Long)
	case s.Arg && !hasValue:
		if len(next) == 0 {
			return o, 0, usage("option '--%s' requires an argument", s.Long)
		}
		value, used = next[0], 1
	}
	return Opt{Name: s.Long, Value: value, Word: word}, used, nil
}

// match finds the option that name names exactly, or else the only option
// it is a prefix of. glibc quotes the whole word, "=value" included, when
// it cannot tell which option is meant.
func match(name, word string, specs []Spec) (Spec, error) {
	var found []Spec
	for _, s := range specs {
		if s.Long == "" {
			continue
		}
		if s.Long == name {
			return s, nil
		}
		if strings.HasPrefix(s.Long, name) {
			found = append(found, s)
		}
	}
	switch len(found) {
	case 0:
		return Spec{}, usage("unrecognized option '%s'", word)
	case 1:
		return found[0], nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "option '%s' is ambiguous; possibilities:", word)
	for _, s := range found {
		fmt.Fprintf(&b, " '--%s'", s.Long)
	}
	return Spec{}, &Error{Msg: b.String()}
}

// short parses a cluster of short options such as "qs" or "oFILE".
func short(cluster string, next []string, specs []Spec) (opts []Opt, used int, err error) {
	for j := 0; j < len(cluster); j++ {
		c := cluster[j]
		s, ok := byShort(c, specs)
		if !ok {
			return opts, 0, usage("invalid option -- '%c'", c)
		}
		name := s.Long
		if name == "" {
			name = string(c)
		}
		word := "-" + string(c)
		if !s.Arg {
			opts = append(opts, Opt{Name: name, Word: word})
			continue
		}
		if j+1 < len(cluster) {
			return append(opts, Opt{Name: name, Value: cluster[j+1:], Word: word}), 0, nil
		}
		if len(next) == 0 {
			return opts, 0, usage("option requires an argument -- '%c'", c)
		}
		return append(opts, Opt{Name: name, Value: next[0], Word: word}), 1, nil
	}
	return opts, 0, nil
}

func byShort(c byte, specs []Spec) (Spec, bool) {
	for _, s := range specs {
		if s.Short != 0 && s.Short == c {
			return s, true
		}
	}
	return Spec{}, false
}

// HelpOrVersion returns "help" or "version" if either was given, the
// first of them to come: GNU tools act on --help and --version whatever
// else is on the command line, even a bad option after them.
func HelpOrVersion(opts []Opt) string {
	for _, o := range opts {
		if o.Name == "help" || o.Name == "version" {
			return o.Name
		}
	}
	return ""
}
