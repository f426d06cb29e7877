package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// DefaultImportLockTTL is how long the import lock outlives its holder's
// last heartbeat: a killed import on another machine holds up the next one
// this long; on the same machine the next one takes over at once.
const DefaultImportLockTTL = 15 * time.Second

// importLock is the import lock, held and kept alive by a heartbeat.
type importLock struct {
	s     *Store
	token string // "host/pid/random"
	stop  chan struct{}
	wg    sync.WaitGroup
	once  sync.Once
}

// extendScript extends the lock only while it is still ours.
// KEYS: 1 lock. ARGV: 1 token, 2 TTL (ms).
var extendScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`)

// releaseScript deletes the lock only while it holds the given token.
// KEYS: 1 lock. ARGV: 1 token.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

func (s *Store) importLockTTL() time.Duration {
	if s.ImportLockTTL > 0 {
		return s.ImportLockTTL
	}
	return DefaultImportLockTTL
}

// takeImportLock takes the import lock, waiting up to the lock's TTL (and
// a little more) for an import that holds it, and taking over at once from
// a killed import of this machine.
func (s *Store) takeImportLock(ctx context.Context) (*importLock, error) {
	host, _ := os.Hostname()
	var b [8]byte
	_, _ = rand.Read(b[:])
	token := host + "/" + strconv.Itoa(os.Getpid()) + "/" + hex.EncodeToString(b[:])
	ttl := s.importLockTTL()
	deadline := time.Now().Add(ttl + 2*time.Second)
	for {
		ok, err := s.rdb.SetNX(ctx, s.k.importLock(), token, ttl).Result()
		if err != nil {
			return nil, fmt.Errorf("import lock: %w", err)
		}
		if ok {
			l := &importLock{s: s, token: token, stop: make(chan struct{})}
			l.wg.Add(1)
			go l.beat(ttl)
			return l, nil
		}
		holder, err := s.rdb.Get(ctx, s.k.importLock()).Result()
		if errors.Is(err, redis.Nil) {
			continue // released meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("import lock: %w", err)
		}
		if deadHere(holder, host) {
			if err := releaseScript.Run(ctx, s.rdb, []string{s.k.importLock()}, holder).Err(); err != nil {
				return nil, fmt.Errorf("import lock: %w", err)
			}
			continue
		}
		if time.Now().After(deadline) {
			h, pid, _ := strings.Cut(holder, "/")
			pid, _, _ = strings.Cut(pid, "/")
			return nil, flows.Errorf(flows.ECONFLICT, "another import is running (host %s, process %s); try again when it has finished", h, pid)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(min(ttl/10, 500*time.Millisecond)):
		}
	}
}

// deadHere reports whether a lock token names a process of this host that
// no longer runs (a killed import).
func deadHere(token, host string) bool {
	parts := strings.Split(token, "/")
	if len(parts) != 3 || parts[0] != host {
		return false
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// beat keeps the lock alive until release.
func (l *importLock) beat(ttl time.Duration) {
	defer l.wg.Done()
	t := time.NewTicker(ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), ttl/3)
			_ = extendScript.Run(ctx, l.s.rdb, []string{l.s.k.importLock()}, l.token, ttl.Milliseconds()).Err()
			cancel()
		}
	}
}

// release stops the heartbeat and gives the lock up.
func (l *importLock) release(ctx context.Context) {
	l.once.Do(func() {
		close(l.stop)
		l.wg.Wait()
		_ = releaseScript.Run(ctx, l.s.rdb, []string{l.s.k.importLock()}, l.token).Err()
	})
}
