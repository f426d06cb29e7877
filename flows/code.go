package flows

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"
)

// Binding codes. A household's card and a cadre's invite carry a code that
// binds a Telegram account to the holder, in the QR code's link and printed
// for typing.
//
// A code is derived, never stored: the first 100 bits of
// HMAC-SHA256(secret, "minqing card code v2", scope, kind, id, rotation) in
// Crockford's base32 (0-9 and A-Z without I, L, O and U), 20 characters
// printed in five groups of four. The same holder at the same rotation gets
// the same code on every print; a rotation gives a new one. Only processes
// that make or print codes (import, cards, invites) need the secret.
//
// The store keeps CodeCheck(code) of each working code: a one-way hash that
// checks a code someone sends and cannot be turned back into one (a code
// has 100 random-looking bits, too many to guess against the hash).
//
// Codes printed before derivation (22 characters of A-Z a-z 0-9 _ -, 128
// random bits, case-sensitive) keep binding until the holder's first
// rotation: their checks were made by the same CodeCheck.

// CodeLen is the length of a derived code.
const CodeLen = 20

// codeAlphabet is Crockford's base32 alphabet.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

var codeEncoding = base32.NewEncoding(codeAlphabet).WithPadding(base32.NoPadding)

// legacyCodeLen is the length of a code made before codes were derived.
const legacyCodeLen = 22

// CardCodes derives binding codes from a secret.
type CardCodes struct {
	key   []byte
	scope string
}

// NewCardCodes returns the code maker of secret for scope (the county's
// namespace: the same secret gives other codes in another county).
func NewCardCodes(secret, scope string) *CardCodes {
	return &CardCodes{key: []byte(secret), scope: scope}
}

// Code returns the code of a holder (kind and id) at a rotation.
func (c *CardCodes) Code(kind AccountKind, id string, rotation int) string {
	mac := hmac.New(sha256.New, c.key)
	for _, part := range []string{"minqing card code v2", c.scope, string(kind), id, strconv.Itoa(rotation)} {
		mac.Write([]byte(part))
		mac.Write([]byte{0})
	}
	sum := mac.Sum(nil)
	return codeEncoding.EncodeToString(sum[:15])[:CodeLen] // 24 characters of 120 bits, cut to 100 bits
}

// CodeCheck returns what the store keeps to check code: the hex of the
// first 16 bytes of its SHA-256.
func CodeCheck(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:16])
}

// CodeCandidates returns the codes text may be, most likely first, or nil
// when text does not look like a code. A derived code may be typed in any
// case, with spaces or dashes anywhere, with O for 0 and I or L for 1, in
// full-width characters (a Chinese input method); a code from before
// derivation is case-sensitive and may only be spaced.
func CodeCandidates(text string) []string {
	text = foldWidth(text)
	var out []string
	if c, ok := derivedCode(text); ok {
		out = append(out, c)
	}
	if c, ok := legacyCode(text); ok {
		out = append(out, c)
	}
	return out
}

// derivedCode normalises text to a derived code.
func derivedCode(text string) (string, bool) {
	var b strings.Builder
	for _, r := range text {
		switch {
		case unicode.IsSpace(r) || isDash(r):
			continue
		case r == 'O' || r == 'o':
			r = '0'
		case r == 'I' || r == 'i' || r == 'L' || r == 'l':
			r = '1'
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		if r > unicode.MaxASCII || !strings.ContainsRune(codeAlphabet, r) || b.Len() == CodeLen {
			return "", false
		}
		b.WriteRune(r)
	}
	return b.String(), b.Len() == CodeLen
}

// legacyCode normalises text to a code from before derivation: 22
// characters of base64url, which an ordinary word in one case is not.
func legacyCode(text string) (string, bool) {
	code := strings.Join(strings.Fields(text), "")
	if len(code) != legacyCodeLen {
		return "", false
	}
	var lower, upper, other bool
	for _, r := range code {
		switch {
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= '0' && r <= '9' || r == '-' || r == '_':
			other = true
		default:
			return "", false
		}
	}
	return code, other || lower && upper
}

// isDash reports whether r is a hyphen or dash a person may type between
// groups.
func isDash(r rune) bool {
	return r == '-' || r >= 0x2010 && r <= 0x2015 || r == 0x2212 || r == 0xFE63
}

// foldWidth maps full-width ASCII (as a Chinese input method types it) and
// the ideographic space to their ASCII forms.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000:
			return ' '
		}
		return r
	}, s)
}
