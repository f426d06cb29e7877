package roster

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxProblems is the most problems a [*ValidationError] lists; further
// problems are only counted (see [ValidationError.More]).
const MaxProblems = 20

// Problem is one thing wrong with a roster file.
type Problem struct {
	File  string // file name as given to the reader (base name for [Load])
	Line  int    // 1-based line or xlsx row; the header is line 1; 0 for the whole file
	Field string // column name, such as "cadre_id"; empty if the problem is not about one field
	Value string // offending value; always empty for phone and address fields
	Msg   string // what is wrong
}

// String formats p as "file:line: field "value": msg", leaving out the parts
// that are empty.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(p.Line))
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		if p.Value != "" {
			b.WriteByte(' ')
			b.WriteString(strconv.Quote(p.Value))
		}
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// ValidationError reports everything found wrong with a roster. A roster
// with any problem is rejected as a whole.
type ValidationError struct {
	Problems []Problem // at most MaxProblems, in file and line order
	More     int       // problems found beyond those listed
}

// Error lists the problems, one per line, after a summary line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	n := len(e.Problems) + e.More
	if n == 1 {
		b.WriteString("roster: 1 problem:")
	} else {
		fmt.Fprintf(&b, "roster: %d problems:", n)
	}
	for _, p := range e.Problems {
		b.WriteByte('\n')
		b.WriteString(p.String())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n... and %d more", e.More)
	}
	return b.String()
}

// problems collects Problems up to MaxProblems.
type problems struct {
	list []Problem
	more int
}

func (ps *problems) add(p Problem) {
	if len(ps.list) >= MaxProblems {
		ps.more++
		return
	}
	ps.list = append(ps.list, p)
}

// err returns the collected problems as a *ValidationError, or nil if there
// are none.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps.list, More: ps.more}
}
