package roster

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/minqing/minqing/flows"
	"golang.org/x/text/width"
)

// MaxIDLen is the longest ID accepted.
const MaxIDLen = 64

// The longest values accepted, in characters: a name (of a person or
// household), a unit or a village; an address; a phone cell (which may
// hold several numbers). Longer text is an error in the file, not a name,
// and would not fit a card or a message.
const (
	MaxNameLen    = 64
	MaxAddressLen = 200
	MaxPhoneLen   = 64
)

// ValidID reports whether id is 1–MaxIDLen ASCII letters, digits, '-' or
// '_', safe to put in Redis keys and Telegram callback data.
func ValidID(id string) bool {
	if len(id) == 0 || len(id) > MaxIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// ParseRole maps a role cell to a role: "cadre", "干部" or "帮扶干部" to
// [flows.RoleCadre] and "leader" or "领导" to [flows.RoleLeader], ignoring
// case and surrounding space.
func ParseRole(s string) (flows.Role, bool) {
	switch normHeader(s) {
	case "cadre", "干部", "帮扶干部":
		return flows.RoleCadre, true
	case "leader", "领导":
		return flows.RoleLeader, true
	}
	return "", false
}

const (
	msgEmpty   = "required, but empty"
	msgBadID   = "must be 1–64 ASCII letters, digits, '-' or '_'"
	msgBadRole = "unknown role; want cadre (干部) or leader (领导)"
	msgBadTel  = "not a phone number; use digits with optional spaces, '+', '-' or parentheses, and '/' between numbers"
)

// narrow converts full-width letters and digits, as typed with a Chinese
// input method, to ASCII.
func narrow(s string) string { return width.Narrow.String(s) }

// checkPhone reports whether s, already narrowed, looks like one or more
// phone numbers.
func checkPhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case '0' <= r && r <= '9':
			digits++
		case strings.ContainsRune(" +-()/,;、", r):
		default:
			return false
		}
	}
	return digits >= 5 && digits <= 40
}

// rowCheck adds problems about one data row of a table.
type rowCheck struct {
	t  *table
	r  row
	ps *problems
	ok bool // no problem added yet
}

// bad adds a problem about field, echoing its value unless the column is
// private.
func (c *rowCheck) bad(field, value, msg string) {
	for _, col := range c.t.cols {
		if col.field == field && col.private {
			value = ""
		}
	}
	c.ps.add(Problem{File: c.t.name, Line: c.r.line, Field: field, Value: value, Msg: msg})
	c.ok = false
}

// required returns the cell of field, adding a problem if it is empty or
// longer than max characters.
func (c *rowCheck) required(field string, max int) string {
	v := c.t.get(c.r, field)
	if v == "" {
		c.bad(field, "", msgEmpty)
	}
	return c.bounded(field, v, max)
}

// bounded returns v, adding a problem (without the value) if it is longer
// than max characters.
func (c *rowCheck) bounded(field, v string, max int) string {
	if n := utf8.RuneCountInString(v); n > max {
		c.bad(field, "", fmt.Sprintf("%d characters, more than the %d allowed", n, max))
	}
	return v
}

// id returns the narrowed ID in field, adding a problem if it is empty or
// malformed; valid is whether it is a well-formed ID.
func (c *rowCheck) id(field string) (id string, valid bool) {
	raw := c.t.get(c.r, field)
	id = narrow(raw)
	switch {
	case id == "":
		c.bad(field, "", msgEmpty)
	case !ValidID(id):
		c.bad(field, raw, msgBadID)
	default:
		return id, true
	}
	return id, false
}

// phone returns the narrowed phone cell, adding a problem (without the
// number) if it is not empty and does not look like a phone number.
func (c *rowCheck) phone() string {
	p := narrow(c.t.get(c.r, "phone"))
	switch {
	case utf8.RuneCountInString(p) > MaxPhoneLen:
		c.bounded("phone", p, MaxPhoneLen)
	case p != "" && !checkPhone(p):
		c.bad("phone", "", msgBadTel)
	}
	return p
}

// seen tracks the IDs of a file and the lines they were first on.
type seen map[string]int

// add records id at line, adding a problem if it was already seen.
func (s seen) add(c *rowCheck, id string) {
	if first, dup := s[id]; dup {
		c.bad("id", id, fmt.Sprintf("duplicate id, first on line %d", first))
		return
	}
	s[id] = c.r.line
}

// parseCadres validates the cadres table. ids holds every well-formed cadre
// ID in the file, for checking households against; it is nil if the table
// could not be read.
func parseCadres(t *table, ps *problems) (cadres []flows.Cadre, ids seen) {
	ids = seen{}
	for _, r := range t.rows {
		c := &rowCheck{t: t, r: r, ps: ps, ok: true}
		id, valid := c.id("id")
		if valid {
			ids.add(c, id)
		}
		name := c.required("name", MaxNameLen)
		unit := c.bounded("unit", t.get(r, "unit"), MaxNameLen)
		rawRole := t.get(r, "role")
		role, known := ParseRole(rawRole)
		switch {
		case rawRole == "":
			c.bad("role", "", msgEmpty+"; want cadre (干部) or leader (领导)")
		case !known:
			c.bad("role", rawRole, msgBadRole)
		case role == flows.RoleCadre && unit == "":
			c.bad("unit", "", "a cadre needs a unit; only a leader may have none (county-wide)")
		}
		phone := c.phone()
		if c.ok {
			cadres = append(cadres, flows.Cadre{ID: id, Name: name, Unit: unit, Role: role, Phone: phone})
		}
	}
	return cadres, ids
}

// parseHouseholds validates the households table. If cadreIDs is not nil,
// each household's cadre_id must be in it; cadresName names the cadres file
// in those problems.
func parseHouseholds(t *table, cadreIDs seen, cadresName string, ps *problems) []flows.Household {
	var households []flows.Household
	ids := seen{}
	for _, r := range t.rows {
		c := &rowCheck{t: t, r: r, ps: ps, ok: true}
		id, valid := c.id("id")
		if valid {
			ids.add(c, id)
		}
		name := c.required("name", MaxNameLen)
		village := c.required("village", MaxNameLen)
		cadreID, valid := c.id("cadre_id")
		if valid && cadreIDs != nil {
			if _, found := cadreIDs[cadreID]; !found {
				c.bad("cadre_id", cadreID, "no such cadre in "+cadresName+similarID(cadreIDs, cadreID))
			}
		}
		phone := c.phone()
		address := c.bounded("address", t.get(r, "address"), MaxAddressLen)
		if c.ok {
			households = append(households, flows.Household{
				ID: id, Name: name, Village: village, CadreID: cadreID,
				Phone: phone, Address: address,
			})
		}
	}
	return households
}

// similarID returns a hint naming an ID in ids that differs from id only in
// case, or "".
func similarID(ids seen, id string) string {
	best := ""
	for k := range ids {
		if strings.EqualFold(k, id) && (best == "" || k < best) {
			best = k
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
