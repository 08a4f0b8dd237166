package logrot

import (
	"fmt"
	"io"
	"strings"

	"github.com/nohupx/nohupx/internal/reexec"
)

// request is what Start tells the relay processes. It is kept in the
// journal, so that a relay process started later reads the same orders.
type request struct {
	Path   string // the live file, absolute
	Policy Policy
}

func (r request) encode(w io.Writer) error { return reexec.WriteRequest(w, r) }

// decodeRequest reads a request and checks it completely: the relay acts
// on nothing it did not understand.
func decodeRequest(rd io.Reader) (request, error) {
	var r request
	if err := reexec.ReadRequest(rd, &r); err != nil {
		return r, err
	}
	if !strings.HasPrefix(r.Path, "/") {
		return r, fmt.Errorf("bad request: path %q is not absolute", r.Path)
	}
	return r, r.Policy.Validate()
}
