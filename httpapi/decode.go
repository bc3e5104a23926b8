package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/ask2live/ask2live"
)

// decodeJSON reads exactly one JSON object from r into v. Unknown fields,
// trailing data, wrong types and oversized bodies are client errors with a
// message that names the problem. The body size is limited by the caller
// (http.MaxBytesReader in the route wrapper).
func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return ask2live.Errorf(ask2live.EUnsupported, "send the body as application/json")
		}
	} else {
		return ask2live.Errorf(ask2live.EUnsupported, "send the body as application/json (Content-Type is missing)")
	}
	return decodeBody(r.Body, v)
}

// decodeBody is the transport-independent part of decodeJSON; the fuzz test
// drives it directly.
func decodeBody(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return decodeError(err)
		}
		return badRequest("the body must hold a single JSON object, with nothing after it")
	}
	return nil
}

func decodeError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return ask2live.Errorf(ask2live.ETooLarge, "the body is larger than %d bytes", mbe.Limit)
	case errors.Is(err, io.EOF):
		return badRequest("the body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("the JSON body ends too early")
	case errors.As(err, &syn):
		return badRequest("malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return badRequest("the body must be a JSON object")
		}
		return &httpError{status: http.StatusBadRequest, err: ask2live.Invalid(ask2live.FieldError{
			Field: typ.Field, Message: "must be " + jsonKind(typ.Type.Kind().String()),
		})}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &httpError{status: http.StatusBadRequest, err: ask2live.Invalid(ask2live.FieldError{
			Field: field, Message: "is not a known field",
		})}
	default:
		// Errors from a field's own UnmarshalJSON, such as a bad time.
		return badRequest("invalid JSON value: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int64", "int32", "uint", "uint64", "float64":
		return "a number"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	}
	return "of another type"
}
