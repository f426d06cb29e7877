// Package fonts finds a font that can draw Chinese, for the printed cards
// and the digest's chart.
package fonts

import (
	"errors"
	"fmt"
	"os"
)

// Candidates are the usual places of CJK fonts on Debian, best first. TTF
// files come first: some PDF libraries cannot read collections (.ttc).
var Candidates = []string{
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", // fonts-droid-fallback
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",            // fonts-wqy-microhei
	"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",              // fonts-wqy-zenhei
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",    // fonts-noto-cjk
	"/usr/share/fonts/truetype/arphic/uming.ttc",                // fonts-arphic-uming
}

// ErrNoFont says that no CJK font was found, and which package to install.
var ErrNoFont = errors.New("no CJK font found: install one (apt-get install -y fonts-droid-fallback, or fonts-wqy-zenhei / fonts-noto-cjk) or set cards.font in the config")

// Find returns the configured font if set (it must exist), else the first
// candidate that exists; ttfOnly skips collections.
func Find(configured string, ttfOnly bool) (string, error) {
	if configured != "" {
		if _, err := os.Stat(configured); err != nil {
			return "", fmt.Errorf("cards.font %q: %w", configured, err)
		}
		return configured, nil
	}
	for _, p := range Candidates {
		if ttfOnly && len(p) > 4 && p[len(p)-4:] == ".ttc" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", ErrNoFont
}
