package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gindance/gindance/internal/testenv"
)

// debianPython is the interpreter of Debian's python3-* packages. The
// python3 first on PATH may be another installation without them.
const debianPython = "/usr/bin/python3"

// requirePython returns debianPython after checking that it imports every
// module; a missing one skips the test, or fails it under CI=true (.ci/run
// installs the Debian packages).
func requirePython(t *testing.T, modules ...string) string {
	t.Helper()
	script := "import " + strings.Join(modules, ", ")
	out, err := exec.Command(debianPython, "-c", script).CombinedOutput()
	if err != nil {
		testenv.Unavailable(t, "Debian's Python with "+strings.Join(modules, ", ")+
			" (apt-get install python3-authlib python3-flask python3-flask-dance)",
			fmt.Errorf("%s -c %q: %v: %s", debianPython, script, err, bytes.TrimSpace(out)))
	}
	return debianPython
}

// freePort returns a loopback TCP port that was free a moment ago, for a
// child process that takes its port on the command line.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// syncBuffer is a bytes.Buffer safe for a child process's output and the
// test reading it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// pyProcess is a Python script of testdata/ serving on loopback.
type pyProcess struct {
	URL string // http://127.0.0.1:<port>
	out *syncBuffer
}

// startPython runs testdata/<script> with --port <free port> and args, waits
// until GET /health answers 200, and stops it when the test ends. Its output
// is logged when the test fails. A script that does not come up fails the
// test under CI=true and skips it elsewhere.
func startPython(t *testing.T, modules []string, script string, args ...string) *pyProcess {
	t.Helper()
	py := requirePython(t, modules...)
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, py, append([]string{filepath.Join("testdata", script), "--port", strconv.Itoa(port)}, args...)...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		cancel()
		testenv.Unavailable(t, script, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cancel() // kills the process
		<-exited
		if t.Failed() {
			t.Logf("%s output:\n%s", script, out.String())
		}
	})
	p := &pyProcess{URL: fmt.Sprintf("http://127.0.0.1:%d", port), out: out}
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err // for the cleanup
			testenv.Unavailable(t, script, fmt.Errorf("exited before serving: %v\n%s", err, out.String()))
		default:
		}
		resp, err := http.Get(p.URL + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			testenv.Unavailable(t, script, fmt.Errorf("no answer at %s/health within 30s: %v\n%s", p.URL, err, out.String()))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// getJSON GETs u and decodes a 200 JSON answer into v.
func getJSON(t *testing.T, c *http.Client, u string, v any) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", u, resp.Status, body.String())
	}
	if err := json.Unmarshal(body.Bytes(), v); err != nil {
		t.Fatalf("GET %s: %v: %s", u, err, body.String())
	}
}
