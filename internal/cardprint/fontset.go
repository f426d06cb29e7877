package cardprint

import (
	"fmt"
	"os"
	"sync"
	"unicode"

	"github.com/minqing/minqing/internal/fonts"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
)

// fontRole is the job of a font on the card.
type fontRole int

const (
	roleMain  fontRole = iota // the CJK font
	roleLatin                 // characters the CJK font lacks
	roleCode                  // the binding code, monospace
	numRoles
)

// fontSet holds the fonts of one rendering. Each character is drawn with
// the first font of its chain that has it. Not safe for concurrent use.
type fontSet struct {
	paths [numRoles]string // "" = none
	fonts [numRoles]*opentype.Font
	buf   sfnt.Buffer
}

// run is a piece of text drawn with one font.
type run struct {
	s    string
	role fontRole
}

// loadFonts finds and parses the fonts of l.
func loadFonts(l Layout) (*fontSet, error) {
	main, err := fonts.Find(l.FontPath, true)
	if err != nil {
		return nil, fmt.Errorf("cardprint: %w", err)
	}
	fs := &fontSet{}
	fs.paths[roleMain] = main
	if fs.paths[roleLatin], err = pickFont(l.LatinFontPath, LatinFontCandidates, "Latin font"); err != nil {
		return nil, err
	}
	if fs.paths[roleCode], err = pickFont(l.CodeFontPath, MonoFontCandidates, "code font"); err != nil {
		return nil, err
	}
	for r, p := range fs.paths {
		if p != "" {
			if fs.fonts[r], err = loadFont(p); err != nil {
				return nil, err
			}
		}
	}
	return fs, nil
}

// pickFont returns configured if set (it must exist), else the first
// candidate that exists, else "".
func pickFont(configured string, candidates []string, what string) (string, error) {
	if configured != "" {
		if _, err := os.Stat(configured); err != nil {
			return "", fmt.Errorf("cardprint: %s: %w", what, err)
		}
		return configured, nil
	}
	for _, p := range candidates {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", nil
}

// chain lists the fonts to try, best first.
func (fs *fontSet) chain(mono bool) []fontRole {
	if mono {
		return []fontRole{roleCode, roleMain, roleLatin}
	}
	return []fontRole{roleMain, roleLatin}
}

func (fs *fontSet) has(role fontRole, r rune) bool {
	f := fs.fonts[role]
	if f == nil {
		return false
	}
	g, err := f.GlyphIndex(&fs.buf, r)
	return err == nil && g != 0
}

// runs splits s into pieces by font. A space stays in the font of the
// character before it. A character that no font has is put in the first
// font, and reported as an ErrMissingGlyph.
func (fs *fontSet) runs(s string, mono bool) ([]run, error) {
	var out []run
	var missing error
	chain := fs.chain(mono)
	cur := fontRole(-1)
	start := 0
	for i, r := range s {
		role := fontRole(-1)
		if cur >= 0 && unicode.IsSpace(r) && fs.has(cur, r) {
			role = cur
		} else {
			role = fs.find(chain, r)
		}
		if role < 0 {
			if missing == nil {
				missing = fmt.Errorf("%w: %q (U+%04X); install a font that has it (fonts-dejavu-core for Latin, fonts-noto-cjk for rare Chinese characters) or change the text", ErrMissingGlyph, r, r)
			}
			role = firstLoaded(fs, chain)
		}
		if role != cur {
			if i > start {
				out = append(out, run{s[start:i], cur})
			}
			cur, start = role, i
		}
	}
	if len(s) > start {
		out = append(out, run{s[start:], cur})
	}
	return out, missing
}

// find returns the first font of chain that has r, or -1.
func (fs *fontSet) find(chain []fontRole, r rune) fontRole {
	for _, c := range chain {
		if fs.has(c, r) {
			return c
		}
	}
	return -1
}

func firstLoaded(fs *fontSet, chain []fontRole) fontRole {
	for _, c := range chain {
		if fs.fonts[c] != nil {
			return c
		}
	}
	return roleMain
}

// loadedFont is a font file, read and parsed.
type loadedFont struct {
	data []byte
	font *opentype.Font
}

var (
	fontMu    sync.Mutex
	fontCache = map[string]loadedFont{}
)

// fontData returns the bytes of the font file at path, read once.
func fontData(path string) ([]byte, error) {
	if _, err := loadFont(path); err != nil {
		return nil, err
	}
	fontMu.Lock()
	defer fontMu.Unlock()
	return fontCache[path].data, nil
}

// loadFont parses a TrueType/OpenType font or the first font of a
// collection, once per path. The parsed fonts are safe for concurrent use.
func loadFont(path string) (*opentype.Font, error) {
	fontMu.Lock()
	defer fontMu.Unlock()
	if lf, ok := fontCache[path]; ok {
		return lf.font, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cardprint: font: %w", err)
	}
	f, err := opentype.Parse(data)
	if err != nil {
		c, cerr := opentype.ParseCollection(data)
		if cerr != nil {
			return nil, fmt.Errorf("cardprint: font %s: %w", path, err)
		}
		if f, err = c.Font(0); err != nil {
			return nil, fmt.Errorf("cardprint: font %s: %w", path, err)
		}
	}
	fontCache[path] = loadedFont{data: data, font: f}
	return f, nil
}
