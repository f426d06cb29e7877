package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/internal/redistest"
)

// redisServer is a redis-server started by the bench on a free port in a
// temporary directory, configured as the README's deployment notes ask
// (appendonly yes, appendfsync everysec, noeviction).
type redisServer struct {
	dir  string
	port int
	cmd  *exec.Cmd
}

// startRedis starts redis-server and waits until it answers PING.
func startRedis() (*redisServer, error) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		return nil, fmt.Errorf("redis-server not installed (apt-get install -y redis-server): %w", err)
	}
	dir, err := os.MkdirTemp("", "minqing-bench-redis-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &redisServer{dir: dir, port: port}
	s.cmd = exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction",
		"--daemonize", "no")
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start redis-server: %w", err)
	}
	if err := redistest.WaitReady(s.addr(), 10*time.Second); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

func (s *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }
func (s *redisServer) url() string  { return "redis://" + s.addr() + "/0" }

// client returns a new client; pool sizes suit many concurrent loaders.
func (s *redisServer) client() *redis.Client {
	return redis.NewClient(&redis.Options{Addr: s.addr(), PoolSize: 128})
}

// stop kills the server and removes its directory.
func (s *redisServer) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
	os.RemoveAll(s.dir)
}

// freePort asks the kernel for a free TCP port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// info returns one field of INFO section.
func info(ctx context.Context, c redis.UniversalClient, section, field string) string {
	raw, err := c.Info(ctx, section).Result()
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(strings.NewReader(raw))
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":"); ok && k == field {
			return v
		}
	}
	return ""
}

// usedMemory returns INFO memory used_memory, in bytes.
func usedMemory(ctx context.Context, c redis.UniversalClient) int64 {
	n, _ := strconv.ParseInt(info(ctx, c, "memory", "used_memory"), 10, 64)
	return n
}
