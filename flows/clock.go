package flows

import (
	"sync"
	"time"
)

// Clock tells the time. Production uses SystemClock; tests and the demo use
// SimClock so that reminders and digests can be driven without sleeping.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// SimClock is a settable clock, safe for concurrent use.
type SimClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewSimClock returns a simulated clock set to t.
func NewSimClock(t time.Time) *SimClock { return &SimClock{t: t} }

// Now returns the simulated time.
func (c *SimClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *SimClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Advance moves the clock forward by d.
func (c *SimClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
