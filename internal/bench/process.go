package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is a process the harness started (`usergroups serve`, the floor,
// PostGraphile): scenarios measure it from outside, as a client would, and
// read its CPU time from /proc so that the load generator's own work is
// not counted.
type Server struct {
	// URL is the base address, e.g. http://127.0.0.1:41234.
	URL    string
	cmd    *exec.Cmd
	out    *syncBuffer
	exited chan struct{}
}

// ServeArgs are the flags every benchmark server runs with: limits raised
// so that the largest scenario (100×200) is not refused, and the rate
// limiter out of the way of a load generator on one address.
func ServeArgs() []string {
	return []string{
		"--max-cost", "1000000000", "--max-page-size", "200",
		"--rate-limit", "1000000000", "--anonymous-rate-limit", "1000000000",
		"--max-sockets", "100000", "--max-anonymous-sockets", "100000", "--max-pending-sockets", "100000",
		"--log-level", "warn",
	}
}

// StartServer runs binary `serve` on database dsn with ServeArgs plus
// extra flags, on a free loopback port, and waits until it answers
// /readyz (or 60 s pass).
func StartServer(ctx context.Context, binary, dsn string, extra ...string) (*Server, error) {
	return startProcess(ctx, binary, func(addr string) []string {
		args := append([]string{"serve", "--database", dsn, "--listen", addr}, ServeArgs()...)
		return append(args, extra...)
	})
}

// StartFloor runs the harness binary self as `floor`: the hand-written
// handler in a process of its own, measured like the server.
func StartFloor(ctx context.Context, self, dsn string) (*Server, error) {
	return startProcess(ctx, self, func(addr string) []string {
		return []string{"floor", "--database", dsn, "--listen", addr}
	})
}

// startProcess runs binary with the arguments for a free loopback address
// and waits until it answers /readyz.
func startProcess(ctx context.Context, binary string, argsFor func(addr string) []string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(binary, argsFor(addr)...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=") // the machine's own, as in production
	return launch(ctx, cmd, "http://"+addr, 60*time.Second, func(ctx context.Context, s *Server) error {
		resp, err := http.Get(s.URL + "/readyz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("readyz: HTTP %d", resp.StatusCode)
		}
		return nil
	})
}

// launch starts cmd, serving at url, and waits until ready succeeds, the
// process exits, or limit passes.
func launch(ctx context.Context, cmd *exec.Cmd, url string, limit time.Duration, ready func(context.Context, *Server) error) (*Server, error) {
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{URL: url, cmd: cmd, out: out, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(limit)
	for {
		err := ready(ctx, s)
		if err == nil {
			return s, nil
		}
		select {
		case <-s.exited:
			return nil, fmt.Errorf("bench: %s exited:\n%s", cmd.Path, out.String())
		default:
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			_ = s.Stop()
			return nil, fmt.Errorf("bench: %s did not become ready: %v\n%s", cmd.Path, err, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// CPU returns the CPU time (user + system, all threads) the process has
// used so far.
func (s *Server) CPU() (time.Duration, error) { return processCPU(s.PID()) }

// Stop ends the process (SIGINT, so it shuts down as in production; SIGKILL
// after 20 s) and waits for it.
func (s *Server) Stop() error {
	select {
	case <-s.exited:
		return nil
	default:
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
		return nil
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return fmt.Errorf("bench: %s did not stop within 20 s", s.cmd.Path)
	}
}

// Output is what the process printed so far.
func (s *Server) Output() string { return s.out.String() }

// syncBuffer is a bytes.Buffer safe for a process writing while the
// harness reads.
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

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// clockTicks is USER_HZ, which Linux fixes at 100 for /proc on every
// architecture Go supports.
const clockTicks = 100

// processCPU reads utime + stime of pid from /proc/PID/stat.
func processCPU(pid int) (time.Duration, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields after it are
	// counted from its closing parenthesis.
	rest := line[strings.LastIndexByte(line, ')')+2:]
	fields := strings.Fields(rest)
	if len(fields) < 13 {
		return 0, fmt.Errorf("bench: unexpected /proc stat line %q", line)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}
