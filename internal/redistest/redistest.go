// Package redistest starts real redis-server processes for tests, each on a
// free port in its own directory, so that a test can stop and restart its
// Redis to see how the program copes. With MINQING_TEST_REDIS=miniredis it
// starts the in-process miniredis the demo uses instead, so that the same
// suites prove the two implementations agree.
package redistest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Server is a redis-server started by a test.
type Server struct {
	t       testing.TB
	dir     string
	port    int
	cmd     *exec.Cmd
	exited  chan struct{}        // closed when cmd has ended
	started bool                 // the port is given out: a restart must keep it
	mini    *miniredis.Miniredis // set when running on miniredis
}

// Miniredis reports whether the tests run on miniredis.
func Miniredis() bool { return os.Getenv("MINQING_TEST_REDIS") == "miniredis" }

// Start starts a redis-server on a free port and stops it when the test ends.
// The test is skipped only when redis-server is not installed and the
// environment variable CI is unset; in CI a missing server fails the test.
func Start(t testing.TB) *Server {
	t.Helper()
	if Miniredis() {
		return startMini(t)
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("redis-server not installed: %v", err)
		}
		t.Skip("redis-server not installed (apt-get install -y redis-server)")
	}
	s := &Server{t: t, dir: t.TempDir(), port: freePort(t)}
	s.Restart()
	t.Cleanup(s.Stop)
	return s
}

// startMini starts an in-process miniredis.
func startMini(t testing.TB) *Server {
	m := miniredis.NewMiniRedis()
	if err := m.Start(); err != nil {
		t.Fatalf("miniredis: %v", err)
	}
	_, port, _ := net.SplitHostPort(m.Addr())
	p, _ := strconv.Atoi(port)
	s := &Server{t: t, port: p, mini: m}
	t.Cleanup(m.Close)
	return s
}

// Addr returns host:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// URL returns the redis:// URL of the server.
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

// Client returns a new client connected to the server, closed at test end.
func (s *Server) Client() *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.Addr()})
	s.t.Cleanup(func() { _ = c.Close() })
	return c
}

// Restart starts the server (again), keeping its data directory (AOF on,
// so data survives a restart as in production).
//
// A free port is only free when it is picked: another test (other packages
// run in parallel, other people's tests on the machine) may take it before
// redis-server binds it, and a PING would then be answered by that test's
// server. So the server that answers must be the process started here; on
// a first start a taken port is traded for another, on a restart (clients
// know the port) it fails the test, saying so.
func (s *Server) Restart() {
	s.t.Helper()
	if s.mini != nil {
		if err := s.mini.Restart(); err != nil {
			s.t.Fatalf("miniredis restart: %v", err)
		}
		return
	}
	for attempt := 1; ; attempt++ {
		err := s.launch()
		if err == nil {
			s.started = true
			return
		}
		if s.started || attempt == 5 {
			s.t.Fatal(err)
		}
		s.t.Logf("%v; trying another port", err)
		s.port = freePort(s.t)
	}
}

// launch starts redis-server on s.port and waits until it answers there.
func (s *Server) launch() error {
	cmd := exec.Command("redis-server",
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--dir", s.dir,
		"--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("redis-server: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		drain(out)
		_ = cmd.Wait()
		close(exited)
	}()
	s.cmd, s.exited = cmd, exited
	if err := waitOwn(s.Addr(), cmd.Process.Pid, exited, time.Minute); err != nil {
		s.Stop()
		return err
	}
	return nil
}

func drain(r interface{ Read([]byte) (int, error) }) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
	}
}

// waitOwn waits until the redis-server of process pid answers at addr. It
// fails at once when the process ends (the port was taken: it could not
// bind) or another process answers, and after within (a bound for a loaded
// machine, not a timing assertion).
func waitOwn(addr string, pid int, exited <-chan struct{}, within time.Duration) error {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(within)
	for {
		select {
		case <-exited:
			return fmt.Errorf("redis-server on %s exited at start (port taken?)", addr)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		info, err := c.Info(ctx, "server").Result()
		cancel()
		if err == nil {
			if got := infoField(info, "process_id"); got != strconv.Itoa(pid) {
				return fmt.Errorf("%s answers as process %s, not the redis-server just started (%d): the port was taken", addr, got, pid)
			}
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server on %s did not start: %w", addr, err)
		}
		select { // waiting for the process to listen, or to end
		case <-exited:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// infoField returns the value of field in the text of an INFO reply.
func infoField(info, field string) string {
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			return v
		}
	}
	return ""
}

// WaitReady waits up to within for the redis-server at addr, just started,
// to answer PING.
func WaitReady(addr string, within time.Duration) error {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server on %s did not start: %w", addr, err)
		}
		time.Sleep(20 * time.Millisecond) // waiting for another process to start listening
	}
}

// Stop kills the server; Restart brings it back with its data.
func (s *Server) Stop() {
	if s.mini != nil {
		s.mini.Close()
		return
	}
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Flush empties the server.
func (s *Server) Flush() {
	s.t.Helper()
	if s.mini != nil {
		s.mini.FlushAll()
		return
	}
	c := redis.NewClient(&redis.Options{Addr: s.Addr()})
	defer c.Close()
	if err := c.FlushAll(context.Background()).Err(); err != nil {
		s.t.Fatalf("flushall: %v", err)
	}
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// String describes the server.
func (s *Server) String() string { return fmt.Sprintf("redis-server %s", s.Addr()) }
