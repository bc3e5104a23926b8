package httpapi

import (
	"encoding/json"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ask2live/ask2live"
)

// enums lists the values of the domain's string enums for the document.
var enums = map[reflect.Type][]string{
	reflect.TypeOf(ask2live.SessionState("")):  {"recruiting", "ready", "scheduled", "live", "ended", "cancelled"},
	reflect.TypeOf(ask2live.QuestionState("")): {"open", "answering", "answered", "dismissed"},
	reflect.TypeOf(ask2live.QuestionKind("")):  {"text", "voice"},
	reflect.TypeOf(ask2live.Phase("")):         {"pre", "live"},
	reflect.TypeOf(ask2live.Role("")):          {"", "admin"},
	reflect.TypeOf(ask2live.Code("")): {"invalid_input", "unauthenticated", "forbidden", "not_found", "conflict",
		"wrong_state", "too_large", "unsupported", "rate_limited", "unavailable", "internal"},
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)(\.\.\.)?\}`)

// openAPIDocument builds the OpenAPI 3 document from the route list and the
// Go types of the request and response bodies.
func (s *Server) openAPIDocument() []byte {
	g := &schemaGen{components: map[string]any{}}
	problem := g.schema(reflect.TypeOf(Problem{}))
	paths := map[string]map[string]any{}
	for _, rt := range s.routes {
		if rt.path == "/" || rt.path == "/api/" {
			continue
		}
		p := pathParam.ReplaceAllString(rt.path, "{$1}")
		op := map[string]any{
			"summary":     rt.summary,
			"tags":        []string{rt.tag},
			"operationId": operationID(rt),
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.query {
			params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.desc, "schema": map[string]any{"type": "string"}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.in != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.in))}}}
		}
		if rt.multipart {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"multipart/form-data": map[string]any{"schema": map[string]any{"type": "object", "required": []string{"file"},
					"properties": map[string]any{"file": map[string]any{"type": "string", "format": "binary"}}}}}}
		}
		ok := map[string]any{"description": httpStatusText(rt.status)}
		if rt.out != nil {
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.out))}}
		}
		if rt.produces != "" {
			ok["content"] = map[string]any{rt.produces: map[string]any{"schema": map[string]any{"type": "string"}}}
		}
		responses := map[string]any{strconv.Itoa(rt.status): ok}
		for _, code := range rt.errors {
			responses[strconv.Itoa(code)] = map[string]any{"description": httpStatusText(code),
				"content": map[string]any{"application/problem+json": map[string]any{"schema": problem}}}
		}
		op["responses"] = responses
		if rt.auth {
			op["security"] = []any{map[string]any{"bearer": []string{}}, map[string]any{"cookie": []string{}}}
		}
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(rt.method)] = op
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":   "ask2live",
			"version": "1",
			"description": "Live Q&A sessions. Errors are application/problem+json with a stable `code`. " +
				"Browsers authenticate with the session cookie and must echo the ask2live_csrf cookie in the X-CSRF-Token header on writes; " +
				"API clients send Authorization: Bearer <token> from register or log-in.",
		},
		"tags": []any{
			map[string]any{"name": "accounts", "description": "Sign-up, log-in and profiles"},
			map[string]any{"name": "sessions", "description": "Sessions, wishes, the host's team and the host's lifecycle actions"},
			map[string]any{"name": "questions", "description": "The question queue and votes"},
			map[string]any{"name": "live", "description": "The live room and the event stream"},
			map[string]any{"name": "calendars", "description": "Sessions as iCalendar files, and each user's secret feed of wished sessions for calendar apps"},
			map[string]any{"name": "operations", "description": "Health, metrics, media and this documentation"},
			map[string]any{"name": "administration", "description": "Site administration for admins: accounts, sessions and the audit log"},
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": g.components,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer"},
				"cookie": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie},
			},
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic("httpapi: cannot encode the OpenAPI document: " + err.Error())
	}
	return b
}

func operationID(rt route) string {
	name := strings.ToLower(rt.method)
	for _, part := range strings.Split(pathParam.ReplaceAllString(rt.path, "by_$1"), "/") {
		if part == "" || part == "api" || part == "v1" {
			continue
		}
		name += "_" + strings.ReplaceAll(strings.TrimSuffix(part, ".json"), ".", "_")
	}
	// "/api/docs/" is not "/api/docs": ids must be unique in a document.
	if strings.HasSuffix(rt.path, "/") {
		name += "_index"
	}
	return name
}

func httpStatusText(code int) string {
	switch code {
	case 101:
		return "Switching Protocols"
	case 422:
		return "Unprocessable Entity: the input breaks a rule (field errors in `errors`)"
	case 400:
		return "Bad Request: the body cannot be parsed"
	case 409:
		return "Conflict: duplicate, or wrong state"
	}
	return strings.TrimSpace(strconv.Itoa(code) + " " + statusName(code))
}

func statusName(code int) string {
	names := map[int]string{200: "OK", 201: "Created", 204: "No Content", 301: "Moved Permanently", 401: "Unauthorized",
		403: "Forbidden", 404: "Not Found", 413: "Payload Too Large", 415: "Unsupported Media Type", 429: "Too Many Requests",
		503: "Service Unavailable"}
	return names[code]
}

// schemaGen turns Go types into JSON Schema (OpenAPI 3.0 dialect), putting
// named structs under components.
type schemaGen struct {
	components map[string]any
}

var timeType = reflect.TypeOf(time.Time{})

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	if t.Kind() == reflect.Pointer {
		s := g.schema(t.Elem())
		if _, isRef := s["$ref"]; isRef {
			return map[string]any{"allOf": []any{s}, "nullable": true}
		}
		s["nullable"] = true
		return s
	}
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.String:
		s := map[string]any{"type": "string"}
		if vals, ok := enums[t]; ok {
			s["enum"] = vals
		}
		return s
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Float64, reflect.Float32:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		name := strings.ToUpper(t.Name()[:1]) + t.Name()[1:]
		if _, done := g.components[name]; !done {
			g.components[name] = map[string]any{} // placeholder against recursion
			props := map[string]any{}
			var required []string
			var fields func(t reflect.Type)
			fields = func(t reflect.Type) {
				for i := range t.NumField() {
					f := t.Field(i)
					tag := f.Tag.Get("json")
					if f.Anonymous && tag == "" {
						// Embedded: encoding/json promotes its fields.
						ft := f.Type
						if ft.Kind() == reflect.Pointer {
							ft = ft.Elem()
						}
						fields(ft)
						continue
					}
					if !f.IsExported() || tag == "-" {
						continue
					}
					fname, opts, _ := strings.Cut(tag, ",")
					if fname == "" {
						fname = f.Name
					}
					props[fname] = g.schema(f.Type)
					if !strings.Contains(opts, "omitempty") && f.Type.Kind() != reflect.Pointer {
						required = append(required, fname)
					}
				}
			}
			fields(t)
			sort.Strings(required)
			obj := map[string]any{"type": "object", "properties": props}
			if len(required) > 0 {
				obj["required"] = required
			}
			g.components[name] = obj
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}
