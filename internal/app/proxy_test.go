package app_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/minqing/minqing/internal/config"
)

// hiddenHost is the Bot API's host name in the proxy tests. It never
// resolves (.invalid is reserved for that), so a call reaches the emulator
// only through the test's proxy, which alone maps it to the emulator.
const hiddenHost = "api.telegram.invalid"

// TestProxySeesEveryCall: with telegram.proxy set, every Bot API call of a
// whole run (getMe at start, commands, polling, messages, copies, buttons,
// uploads) goes through the proxy: an HTTP forward proxy, and a SOCKS5
// proxy, each started by the test.
func TestProxySeesEveryCall(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func(*testing.T, *proxyLog) string // returns the proxy's URL
	}{
		{"http", startHTTPProxy},
		{"socks5", startSOCKS5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen := &proxyLog{counts: map[string]int{}}
			proxy := tc.start(t, seen)
			h := start(t, func(c *config.Config) {
				u, err := url.Parse(c.Telegram.APIURL)
				if err != nil {
					t.Fatal(err)
				}
				u.Host = net.JoinHostPort(hiddenHost, u.Port())
				c.Telegram.APIURL, c.Telegram.Proxy = u.String(), config.SecretURL(proxy)
			})
			converse(h)
			h.stop()
			calls := func() map[string]int {
				m := map[string]int{}
				for _, c := range h.tg.Calls() {
					m[c.Method]++
				}
				return m
			}
			// A long poll cut by the stop may have reached the proxy and not
			// the emulator; every other call is seen by both, once.
			inStep := func() bool {
				got, want := seen.snapshot(), calls()
				delete(got, "getUpdates")
				gu := want["getUpdates"]
				delete(want, "getUpdates")
				return maps.Equal(got, want) && gu > 0 && gu <= seen.snapshot()["getUpdates"]
			}
			if !waitUntil(waitFor, inStep) {
				t.Fatalf("calls through the proxy %v; calls the emulator answered %v", seen.snapshot(), calls())
			}
			for _, m := range []string{"getMe", "setMyCommands", "deleteWebhook", "getUpdates", "sendMessage",
				"copyMessage", "answerCallbackQuery", "sendPhoto", "sendDocument"} {
				if seen.snapshot()[m] == 0 {
					t.Errorf("no %s through the proxy: %v", m, seen.snapshot())
				}
			}
		})
	}
}

// converse binds a cadre, a leader and a household and uses most of the
// Bot API: a request with a photo, a reply, a button, the digest's files.
func converse(h *harness) {
	h.t.Helper()
	h.bind(cadreLiu, "C001")
	h.bind(leaderZh, "L001")
	h.bind(hhZhang, "H001")
	c := h.mark(cadreLiu)
	h.tg.SendText(hhZhang, "房顶漏雨")
	note := h.expect(cadreLiu, c, "房顶漏雨")
	h.tg.SendPhoto(hhZhang, "屋顶")
	h.expect(cadreLiu, c, "屋顶")
	n := h.mark(hhZhang)
	h.tg.SendReply(cadreLiu, "明天来看", note.ID)
	h.expect(hhZhang, n, "明天来看")
	h.press(cadreLiu, note, "dl:1:3")
	l := h.mark(leaderZh)
	h.tg.SendText(leaderZh, "/digest")
	h.expect(leaderZh, l, "响应率")
	if !h.tg.Wait(waitFor, func() bool { return len(h.tg.BotMessages(leaderZh.ID)) >= l+3 }) {
		h.t.Fatal("the digest's chart and spreadsheet did not arrive")
	}
	h.drain()
}

// proxyLog counts the Bot API methods a test proxy carried.
type proxyLog struct {
	mu     sync.Mutex
	counts map[string]int
}

func (p *proxyLog) saw(r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts[path.Base(r.URL.Path)]++
}

func (p *proxyLog) snapshot() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.counts)
}

// dialHidden dials addr, mapping hiddenHost to the loopback address.
func dialHidden(ctx context.Context, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if host == hiddenHost {
		host = "127.0.0.1"
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
}

// startHTTPProxy starts an HTTP forward proxy (requests with absolute URLs,
// as Go's client sends for http targets) and returns its URL.
func startHTTPProxy(t *testing.T, seen *proxyLog) string {
	upstream := &http.Transport{DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
		return dialHidden(ctx, addr)
	}}
	t.Cleanup(upstream.CloseIdleConnections)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !r.URL.IsAbs() {
			http.Error(w, "a forward proxy needs absolute URLs", http.StatusBadRequest)
			return
		}
		seen.saw(r)
		out := r.Clone(r.Context())
		out.RequestURI = ""
		out.Header.Del("Proxy-Connection")
		resp, err := upstream.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		maps.Copy(w.Header(), resp.Header)
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	})
	l := listen(t)
	srv := &http.Server{Handler: handler}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + l.Addr().String()
}

// startSOCKS5 starts a SOCKS5 proxy (RFC 1928: no authentication, CONNECT
// only) that reads the HTTP requests passing through each tunnel, and
// returns its URL.
func startSOCKS5(t *testing.T, seen *proxyLog) string {
	l := listen(t)
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); socksSession(conn, seen) }()
		}
	}()
	return "socks5://" + l.Addr().String()
}

// socksSession serves one SOCKS5 client connection.
func socksSession(conn net.Conn, seen *proxyLog) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	target, err := socksHandshake(r, conn)
	if err != nil {
		return
	}
	up, err := dialHidden(context.Background(), target)
	if err != nil {
		_, _ = conn.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0}) // connection refused
		return
	}
	defer up.Close()
	if _, err := conn.Write([]byte{5, 0, 0, 1, 0, 0, 0, 0, 0, 0}); err != nil {
		return
	}
	// Client to server, read as HTTP requests on the way; server to client
	// as is. Either side closing ends both.
	pr, pw := io.Pipe()
	go func() {
		br := bufio.NewReader(pr)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				_, _ = io.Copy(io.Discard, pr)
				return
			}
			seen.saw(req)
			_, _ = io.Copy(io.Discard, req.Body)
		}
	}()
	go func() { _, _ = io.Copy(conn, up); conn.Close() }()
	_, _ = io.Copy(up, io.TeeReader(r, pw))
	pw.Close()
	up.Close()
}

// socksHandshake reads a client's greeting and CONNECT request and returns
// the host:port asked for.
func socksHandshake(r *bufio.Reader, w io.Writer) (string, error) {
	head := make([]byte, 2)
	if _, err := io.ReadFull(r, head); err != nil || head[0] != 5 {
		return "", errors.New("not SOCKS5")
	}
	methods := make([]byte, head[1])
	if _, err := io.ReadFull(r, methods); err != nil || !slices.Contains(methods, 0) {
		return "", errors.New("no acceptable method")
	}
	if _, err := w.Write([]byte{5, 0}); err != nil {
		return "", err
	}
	req := make([]byte, 4)
	if _, err := io.ReadFull(r, req); err != nil || req[1] != 1 {
		return "", errors.New("not CONNECT")
	}
	var host string
	switch req[3] {
	case 1, 4: // IPv4, IPv6
		ip := make([]byte, map[byte]int{1: 4, 4: 16}[req[3]])
		if _, err := io.ReadFull(r, ip); err != nil {
			return "", err
		}
		host = net.IP(ip).String()
	case 3: // a domain name
		n, err := r.ReadByte()
		if err != nil {
			return "", err
		}
		name := make([]byte, n)
		if _, err := io.ReadFull(r, name); err != nil {
			return "", err
		}
		host = string(name)
	default:
		return "", errors.New("unknown address type")
	}
	port := make([]byte, 2)
	if _, err := io.ReadFull(r, port); err != nil {
		return "", err
	}
	return net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(port)))), nil
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}
