package harness

import (
	"bytes"
	"io"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// logMu serialises writes of all prefixed writers, so lines of different processes never mix.
var logMu sync.Mutex

// prefixWriter starts every line it writes with a process name.
type prefixWriter struct {
	out     io.Writer
	prefix  []byte
	partial []byte
}

func prefixed(out io.Writer, name string) io.Writer {
	return &prefixWriter{out: out, prefix: []byte(name + ": ")}
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	logMu.Lock()
	defer logMu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := append(append([]byte{}, w.prefix...), w.partial[:i+1]...)
		w.partial = w.partial[i+1:]
		if _, err := w.out.Write(line); err != nil {
			return len(p), err
		}
	}
}

// passing is true for the errors a poller meets when it races other writers (a conflict, an
// object deleted meanwhile): the next pass sees the new state.
func passing(err error) bool { return apierrors.IsConflict(err) || apierrors.IsNotFound(err) }
