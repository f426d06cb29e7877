package flows

import (
	"errors"
	"fmt"
)

// Error codes, in the manner of benbjohnson/wtf: the transport maps them to
// answers a user understands, the store returns them for missing data.
const (
	ENOTFOUND  = "not_found" // no such thing
	ECONFLICT  = "conflict"  // the thing changed underneath; retry
	EINVALID   = "invalid"   // the input is malformed or the move illegal
	EDUPLICATE = "duplicate" // this update was already applied
	EFULL      = "full"      // a card has bound all the accounts it may
	EINTERNAL  = "internal"  // anything else
)

// Error is a domain error: a code the caller can act on (ErrorCode) and a
// message for operators.
type Error struct {
	Code    string
	Message string // for operators and logs; never personal data
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}
