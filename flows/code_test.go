package flows

import (
	"reflect"
	"strings"
	"testing"
)

func TestCodeDerivation(t *testing.T) {
	c := NewCardCodes("a secret of at least thirty-two characters", "county")
	code := c.Code(AccountHousehold, "H001", 0)
	if len(code) != CodeLen || strings.Trim(code, codeAlphabet) != "" {
		t.Fatalf("code %q: want %d characters of %s", code, CodeLen, codeAlphabet)
	}
	if again := NewCardCodes("a secret of at least thirty-two characters", "county").Code(AccountHousehold, "H001", 0); again != code {
		t.Errorf("the same holder got %q, then %q", code, again)
	}
	seen := map[string]string{code: "base"}
	for name, other := range map[string]string{
		"rotation": c.Code(AccountHousehold, "H001", 1),
		"id":       c.Code(AccountHousehold, "H002", 0),
		"kind":     c.Code(AccountCadre, "H001", 0),
		"scope":    NewCardCodes("a secret of at least thirty-two characters", "other").Code(AccountHousehold, "H001", 0),
		"secret":   NewCardCodes("another secret of thirty-two characters", "county").Code(AccountHousehold, "H001", 0),
		// The parts are separated: "H0" + "01" is not "H00" + "1".
		"split": NewCardCodes("a secret of at least thirty-two characters", "county").Code(AccountHousehold, "H00", 10),
	} {
		if prev, dup := seen[other]; dup {
			t.Errorf("another %s gives the code of %s", name, prev)
		}
		seen[other] = name
	}
}

// CodeCheck is the hash the card keys of stores written before codes were
// derived are named by: it must not change.
func TestCodeCheckStable(t *testing.T) {
	if got := CodeCheck("abc"); got != "ba7816bf8f01cfea414140de5dae2223" {
		t.Errorf("CodeCheck(abc) = %s", got)
	}
}

func TestCodeCandidates(t *testing.T) {
	const code = "7K2M9QXR4TBV0HZ8WC1D" // 20 characters of the alphabet
	const legacy = "aB3x_Yz-9QkLmN0pQrStUv"
	tests := []struct {
		name, text string
		want       []string
	}{
		{"as printed", "7K2M 9QXR 4TBV 0HZ8 WC1D", []string{code}},
		{"lower case", "7k2m9qxr4tbv0hz8wc1d", []string{code}},
		{"dashes and odd spaces", " 7k2m-9qxr–4tbv 0hz8\twc1d\n", []string{code}},
		{"look-alikes", "7K2M 9QXR 4TBV OHZ8 WCld", []string{code}},
		{"I for 1", "7K2M9QXR4TBV0HZ8WCID", []string{code}},
		{"full-width, ideographic space", "７ｋ２ｍ　９ＱＸＲ　4TBV 0HZ8 WC1D", []string{code}},
		{"legacy as printed", "aB3x _Yz- 9QkL mN0p QrSt Uv", []string{legacy}},
		{"legacy in a link", legacy, []string{legacy}},
		{"too short", "7K2M 9QXR 4TBV 0HZ8 WC1", nil},
		{"too long", "7K2M 9QXR 4TBV 0HZ8 WC1DD", nil},
		{"U is no code letter", "7K2M 9QXR 4TBV 0HZ8 WC1U", nil},
		{"punctuation", "7K2M.9QXR.4TBV.0HZ8.WC1D", nil},
		{"Chinese", "房顶漏雨了，请来看看", nil},
		{"a greeting", "hello", nil},
		{"a 22-letter word in one case", "pleasehelpmewithmyroof", nil},
		{"empty", "  ", nil},
	}
	for _, tc := range tests {
		if got := CodeCandidates(tc.text); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: CodeCandidates(%q) = %q, want %q", tc.name, tc.text, got, tc.want)
		}
	}
	// A derived code always reads back as itself, printed or not.
	c := NewCardCodes("a secret of at least thirty-two characters", "county")
	for i := range 200 {
		code := c.Code(AccountHousehold, "H", i)
		spaced := strings.ToLower(code[:4] + " " + code[4:8] + " " + code[8:12] + " " + code[12:16] + " " + code[16:])
		for _, text := range []string{code, spaced} {
			if got := CodeCandidates(text); len(got) == 0 || got[0] != code {
				t.Fatalf("CodeCandidates(%q) = %q, want %q first", text, got, code)
			}
		}
	}
}
