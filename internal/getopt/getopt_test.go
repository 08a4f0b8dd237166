package getopt

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

var testSpecs = []Spec{
	{Long: "ctty", Short: 'c'},
	{Long: "fork", Short: 'f'},
	{Long: "wait", Short: 'w'},
	{Long: "output", Short: 'o', Arg: true},
	{Long: "out-of-band"},
	{Long: "verbose"},
	{Short: 'x'},
}

func TestParse(t *testing.T) {
	tests := []struct {
		args    []string
		opts    string // fmt of []Opt
		rest    []string
		wantErr string
	}{
		{args: []string{"-fw", "cmd", "-c"}, opts: "[{fork } {wait }]", rest: []string{"cmd", "-c"}},
		{args: []string{"--fo", "--w", "cmd"}, opts: "[{fork } {wait }]", rest: []string{"cmd"}},
		{args: []string{"-ofile", "x"}, opts: "[{output file}]", rest: []string{"x"}},
		{args: []string{"-fo", "file", "x"}, opts: "[{fork } {output file}]", rest: []string{"x"}},
		{args: []string{"--output=a=b", "x"}, opts: "[{output a=b}]", rest: []string{"x"}},
		{args: []string{"--output", "--fork", "x"}, opts: "[{output --fork}]", rest: []string{"x"}},
		{args: []string{"--output="}, opts: "[{output }]"},
		{args: []string{"-x", "--", "--fork"}, opts: "[{x }]", rest: []string{"--fork"}},
		{args: []string{"-", "x"}, opts: "[]", rest: []string{"-", "x"}},
		{args: []string{"--out", "x"}, wantErr: "option '--out' is ambiguous; possibilities: '--output' '--out-of-band'"},
		{args: []string{"--output-x"}, wantErr: "unrecognized option '--output-x'"},
		{args: []string{"--fork=1"}, wantErr: "option '--fork' doesn't allow an argument"},
		{args: []string{"--output"}, wantErr: "option '--output' requires an argument"},
		{args: []string{"-fo"}, wantErr: "option requires an argument -- 'o'"},
		{args: []string{"-fq"}, wantErr: "invalid option -- 'q'"},
		{args: []string{"---"}, wantErr: "unrecognized option '---'"},
		{args: []string{"--foo=bar"}, wantErr: "unrecognized option '--foo=bar'"},
		{args: []string{"--out=x"}, wantErr: "option '--out=x' is ambiguous; possibilities: '--output' '--out-of-band'"},
	}
	for _, tt := range tests {
		opts, rest, err := Parse(tt.args, testSpecs)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("Parse(%q) error = %v; want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q) error = %v", tt.args, err)
			continue
		}
		var nv []string // name and value; Word is TestWordAndUnknown's
		for _, o := range opts {
			nv = append(nv, fmt.Sprintf("{%s %s}", o.Name, o.Value))
		}
		if got := "[" + strings.Join(nv, " ") + "]"; got != tt.opts || !slices.Equal(rest, tt.rest) {
			t.Errorf("Parse(%q) = %s, %q; want %s, %q", tt.args, got, rest, tt.opts, tt.rest)
		}
	}
}

// TestOptionsBeforeError: the options parsed before a bad one are returned
// with the error, so that --help can win over what follows it.
func TestOptionsBeforeError(t *testing.T) {
	opts, _, err := Parse([]string{"--verbose", "--bogus"}, testSpecs)
	if err == nil || len(opts) != 1 || opts[0].Name != "verbose" {
		t.Errorf("Parse(--verbose --bogus) = %v, %v; want [verbose] and an error", opts, err)
	}
}

func TestHelpOrVersion(t *testing.T) {
	for _, tt := range []struct {
		opts []Opt
		want string
	}{
		{nil, ""},
		{[]Opt{{Name: "fork"}, {Name: "version"}, {Name: "help"}}, "version"},
		{[]Opt{{Name: "help"}, {Name: "version"}}, "help"},
		{[]Opt{{Name: "wait"}}, ""},
	} {
		if got := HelpOrVersion(tt.opts); got != tt.want {
			t.Errorf("HelpOrVersion(%v) = %q; want %q", tt.opts, got, tt.want)
		}
	}
}

// TestWordAndUnknown: each option keeps the word it came from, and
// Unknown words the error getopt gives for an option it does not know.
func TestWordAndUnknown(t *testing.T) {
	opts, _, err := Parse([]string{"-fo", "file", "--fo", "--output=a", "x"}, testSpecs)
	if err != nil {
		t.Fatal(err)
	}
	var words, unknown []string
	for _, o := range opts {
		words = append(words, o.Word)
		unknown = append(unknown, Unknown(o).Error())
	}
	if want := []string{"-f", "-o", "--fo", "--output=a"}; !slices.Equal(words, want) {
		t.Errorf("words %q; want %q", words, want)
	}
	if want := []string{"invalid option -- 'f'", "invalid option -- 'o'", "unrecognized option '--fo'", "unrecognized option '--output=a'"}; !slices.Equal(unknown, want) {
		t.Errorf("Unknown %q; want %q", unknown, want)
	}
}
