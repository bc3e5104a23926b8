// Package ask2live holds the domain of the live Q&A service: users, sessions,
// questions, the rules that move them between states, the error type every
// layer speaks, and the small interfaces the adapters implement.
//
// Adapters (SQL stores, HTTP, WebSocket, SFU) import this package and not each
// other.
package ask2live

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable error code. Clients switch on it; it never
// changes once released. It becomes an HTTP status or a WebSocket close code
// only at the edge.
type Code string

// Error codes.
const (
	EInvalid         Code = "invalid_input"   // malformed or out-of-range input (400/422)
	EUnauthenticated Code = "unauthenticated" // no or bad credentials (401)
	EForbidden       Code = "forbidden"       // authenticated but not allowed (403)
	ENotFound        Code = "not_found"       // no such thing, or not visible to the caller (404)
	EConflict        Code = "conflict"        // duplicate (username taken, already voted) (409)
	EWrongState      Code = "wrong_state"     // the thing is in a state that does not allow this (409)
	ETooLarge        Code = "too_large"       // body, frame or upload over its limit (413)
	EUnsupported     Code = "unsupported"     // unsupported media type or protocol version (415)
	ERateLimited     Code = "rate_limited"    // too many requests (429)
	EUnavailable     Code = "unavailable"     // a dependency is down; retry later (503)
	EInternal        Code = "internal"        // a bug or an unexpected failure (500)
)

// FieldError names one invalid input field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the one error type of the domain. Message is safe to show to a
// user; anything else (the wrapped cause) is for logs only.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	cause   error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.cause }

// Errorf returns an *Error with the given code and a formatted user-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error that carries cause for the logs and message for the user.
func Wrap(code Code, cause error, message string) *Error {
	return &Error{Code: code, Message: message, cause: cause}
}

// Invalid returns an EInvalid error listing the offending fields.
func Invalid(fields ...FieldError) *Error {
	msg := "invalid input"
	if len(fields) == 1 {
		msg = fields[0].Field + ": " + fields[0].Message
	}
	return &Error{Code: EInvalid, Message: msg, Fields: fields}
}

// ErrorCode returns the code of err, EInternal for an error that is not an
// *Error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-safe message of err. Errors that are not an
// *Error are internal and get a generic message.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorFields returns the field errors of err, if any.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Problem is an error as the HTTP API sends it: an RFC 9457 problem
// document with the stable code and the offending fields.
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail"`
	Code   Code         `json:"code"`
	Errors []FieldError `json:"errors,omitempty"`
}

func (p *Problem) Error() string { return fmt.Sprintf("%d %s: %s", p.Status, p.Code, p.Detail) }
