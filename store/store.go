package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// Store is Minqing's Redis store. It implements flows.Store, flows.Outbox
// and flows.Inbox.
type Store struct {
	rdb redis.UniversalClient
	k   keys
	// GuardTTL is how long an update's effects are remembered as applied.
	GuardTTL time.Duration
	// SeenTTL is how long an update id is remembered by the inbox; Telegram
	// keeps updates at most 24 hours.
	SeenTTL time.Duration
	// ImportLockTTL is how long the roster import lock outlives its
	// holder's last heartbeat; 0 means DefaultImportLockTTL.
	ImportLockTTL time.Duration
	// groups remembers the consumer groups already created, the consumers
	// that already took back their own pending entries, and when each
	// consumer last searched for stale entries in vain.
	groups sync.Map
	// assigned caches Assignments (see reach.go).
	assigned assignCache
}

var (
	_ flows.Store  = (*Store)(nil)
	_ flows.Outbox = (*Store)(nil)
	_ flows.Inbox  = (*Store)(nil)
)

// Options configure a connection.
type Options struct {
	URL        string   // redis:// or rediss:// URL of a single server
	Addrs      []string // several addresses: Cluster, or Sentinel with MasterName
	MasterName string
	Prefix     string // key prefix, e.g. "mq"
	Namespace  string // hash tag of the county's keys
}

// Open connects to Redis and checks that it answers.
func Open(ctx context.Context, o Options) (*Store, error) {
	url := o.URL
	if url == "" && len(o.Addrs) > 0 {
		url = "redis://" // credentials and database default
	}
	po, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	var rdb redis.UniversalClient = redis.NewClient(po)
	addrs := []string{po.Addr}
	if len(o.Addrs) > 0 {
		// Sentinel (with a master name) or Cluster; the URL's credentials,
		// database and TLS still apply.
		addrs = o.Addrs
		rdb = redis.NewUniversalClient(&redis.UniversalOptions{Addrs: o.Addrs, MasterName: o.MasterName,
			Username: po.Username, Password: po.Password, DB: po.DB, TLSConfig: po.TLSConfig})
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("redis at %v: %w", addrs, err)
	}
	return New(rdb, o.Prefix, o.Namespace), nil
}

// New wraps an existing client.
func New(rdb redis.UniversalClient, prefix, namespace string) *Store {
	if prefix == "" {
		prefix = "mq"
	}
	if namespace == "" {
		namespace = "county"
	}
	return &Store{rdb: rdb, k: newKeys(prefix, namespace), GuardTTL: 7 * 24 * time.Hour, SeenTTL: 48 * time.Hour}
}

// Client returns the underlying Redis client.
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// Ping checks that Redis answers.
func (s *Store) Ping(ctx context.Context) error { return s.rdb.Ping(ctx).Err() }

// Close closes the connection.
func (s *Store) Close() error { return s.rdb.Close() }

// notFound wraps redis.Nil as a domain ENOTFOUND.
func notFound(err error, what string) error {
	if errors.Is(err, redis.Nil) {
		return flows.Errorf(flows.ENOTFOUND, "%s not found", what)
	}
	return fmt.Errorf("%s: %w", what, err)
}
