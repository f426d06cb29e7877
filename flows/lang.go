package flows

import "strings"

// Languages of the message catalog.
const (
	LangZh = "zh"
	LangEn = "en"
)

// Lang is the one way to pick a catalog language, "zh" or "en": for a
// Telegram client's language code ("zh-hans", "en-US"), or a language
// already chosen. A code starting with zh or en picks it; any other gets
// fallback (settings.default_lang), and a fallback that is neither gets zh.
func Lang(code, fallback string) string {
	c := strings.ToLower(code)
	switch {
	case strings.HasPrefix(c, LangZh):
		return LangZh
	case strings.HasPrefix(c, LangEn):
		return LangEn
	case fallback == LangEn:
		return LangEn
	}
	return LangZh
}
