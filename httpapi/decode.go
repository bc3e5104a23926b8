package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

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
	b, err := io.ReadAll(body)
	if err != nil {
		return decodeError(err)
	}
	if !utf8.Valid(b) {
		// encoding/json would quietly turn the bad bytes into U+FFFD.
		return badRequest("the body is not valid UTF-8")
	}
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) > 0 && t[0] != '{' {
		// null would decode into nothing, and a PATCH of nothing succeed.
		return badRequest("the body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("the body must hold a single JSON object, with nothing after it")
	}
	return nil
}

// checkURL checks what a route reads from the URL before anything else reads
// it. A path id that cannot name anything is not found (the database is not
// asked); a query value with invalid UTF-8 or control characters is a
// malformed request. What each value means is checked where it is used.
func checkURL(r *http.Request, params []string) error {
	for _, name := range params {
		v, ok := r.PathValue(name), true
		switch name {
		case "id":
			ok = ask2live.ValidID(v)
		case "username":
			ok = ask2live.ValidateUsername(ask2live.NormalizeUsername(v)) == nil
		default:
			ok = ask2live.CheckLine(name, v) == nil
		}
		if !ok {
			return ask2live.Errorf(ask2live.ENotFound, "no such %s", pathNoun(r.URL.Path, name))
		}
	}
	if r.URL.RawQuery == "" {
		return nil
	}
	var errs []ask2live.FieldError
	query := r.URL.Query()
	for _, name := range slices.Sorted(maps.Keys(query)) {
		vs := query[name]
		if fe := ask2live.CheckLine("query", name); fe != nil {
			errs = append(errs, ask2live.FieldError{Field: "query", Message: "parameter names " + fe.Message})
			continue
		}
		for _, v := range vs {
			if fe := ask2live.CheckLine(name, v); fe != nil {
				errs = append(errs, *fe)
				break
			}
		}
	}
	if len(errs) > 0 {
		return queryError(ask2live.Invalid(errs...))
	}
	return nil
}

// pathNoun names what a path parameter stands for in a message: "session"
// for the {id} of /api/v1/sessions/{id}.
func pathNoun(path, param string) string {
	if param != "id" {
		return param
	}
	parts := strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/")
	return strings.TrimSuffix(parts[0], "s")
}

// pathParams lists the parameter names of a route pattern.
func pathParams(pattern string) []string {
	var out []string
	for _, m := range pathParam.FindAllStringSubmatch(pattern, -1) {
		out = append(out, m[1])
	}
	return out
}

// queryError presents invalid input found in the URL's query (a filter, a
// cursor) as a malformed request, 400, keeping the fields it names; body
// fields stay 422.
func queryError(err error) error {
	var e *ask2live.Error
	if !errors.As(err, &e) || e.Code != ask2live.EInvalid {
		return err
	}
	return &httpError{status: http.StatusBadRequest, err: e}
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
