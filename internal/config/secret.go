package config

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// redacted is what a non-empty Secret prints as.
const redacted = "[redacted]"

// Secret is a string that never prints its value: String, GoString, Format
// (every fmt verb) and MarshalText give "[redacted]" when it is non-empty
// and "" when it is empty. Use Reveal to get the value.
type Secret string

// Reveal returns the secret value. Call it only where the value is used.
func (s Secret) Reveal() string { return string(s) }

// String returns "[redacted]", or "" for an empty Secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString returns the quoted String, for %#v.
func (s Secret) GoString() string { return fmt.Sprintf("%q", s.String()) }

// Format implements fmt.Formatter so that no verb (%d, %x, %q …) prints the
// value.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		io.WriteString(f, s.GoString())
	case verb == 'q':
		fmt.Fprintf(f, "%q", s.String())
	default:
		io.WriteString(f, s.String())
	}
}

// MarshalText returns the String, so encoders (JSON, YAML, slog) redact too.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// SecretURL is a URL that may hold a password (user:password@host): String,
// Format and MarshalText print it with the password redacted. Use Reveal to
// get the value.
type SecretURL string

// Reveal returns the URL with its password.
func (u SecretURL) Reveal() string { return string(u) }

// String returns the URL with any password redacted.
func (u SecretURL) String() string { return redactURL(string(u)) }

// GoString returns the quoted String, for %#v.
func (u SecretURL) GoString() string { return fmt.Sprintf("%q", u.String()) }

// Format implements fmt.Formatter so that no verb prints the password.
func (u SecretURL) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'), verb == 'q':
		io.WriteString(f, u.GoString())
	default:
		io.WriteString(f, u.String())
	}
}

// MarshalText returns the String, so encoders (JSON, YAML, slog) redact too.
func (u SecretURL) MarshalText() ([]byte, error) { return []byte(u.String()), nil }

// String returns the Redis settings with any password in URL redacted.
func (r Redis) String() string {
	return fmt.Sprintf("{URL:%s Addrs:%v MasterName:%s Prefix:%s Namespace:%s}",
		redactURL(r.URL), r.Addrs, r.MasterName, r.Prefix, r.Namespace)
}

// Format implements fmt.Formatter so that no verb prints the URL's password.
func (r Redis) Format(f fmt.State, verb rune) { io.WriteString(f, r.String()) }

// MarshalJSON encodes r with any password in URL redacted.
func (r Redis) MarshalJSON() ([]byte, error) {
	type plain Redis // without methods
	p := plain(r)
	p.URL = redactURL(r.URL)
	return json.Marshal(p)
}

// redactURL hides the password of a URL; a URL that does not parse is
// hidden entirely when it might hold a password.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if strings.Contains(s, "@") {
			return redacted
		}
		return s
	}
	return u.Redacted()
}
