package httpapi_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestOpenAPIDocumentIsValid loads /api/openapi.json with a standard
// OpenAPI 3 validator, as a code generator or gateway would, and checks
// that every route declares its responses: a schema for each JSON body it
// returns and a problem+json body for each error status.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	e := newEnv(t, "sqlite")
	r := e.do("GET", "/api/openapi.json", "", nil)
	if r.status != 200 {
		t.Fatalf("GET /api/openapi.json: %d", r.status)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(r.body)
	if err != nil {
		t.Fatalf("loading the document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the document is not valid OpenAPI: %v", err)
	}
	described := map[string]bool{}
	for _, tag := range doc.Tags {
		described[tag.Name] = tag.Description != ""
	}
	for _, rt := range e.api.Routes() {
		method, path, _ := strings.Cut(rt, " ")
		if path == "/" || path == "/api/" {
			continue
		}
		p := doc.Paths.Find(pathParam(path))
		if p == nil {
			t.Errorf("%s: not in the document", rt)
			continue
		}
		op := p.GetOperation(method)
		if op == nil {
			t.Errorf("%s: no %s operation", rt, method)
			continue
		}
		for _, tag := range op.Tags {
			if !described[tag] {
				t.Errorf("%s: tag %q has no description in the document's tags", rt, tag)
			}
		}
		if op.Responses == nil || op.Responses.Len() == 0 {
			t.Errorf("%s: no responses", rt)
			continue
		}
		for code, resp := range op.Responses.Map() {
			status, _ := strconv.Atoi(code)
			if status < 400 {
				continue
			}
			mt := resp.Value.Content.Get("application/problem+json")
			if mt == nil || mt.Schema == nil {
				t.Errorf("%s: error %s has no problem+json schema", rt, code)
			}
		}
		bodiless := false // actions named wholly by their path
		for _, action := range []string{"/confirm", "/start", "/end", "/logout", "/suspend", "/unsuspend", "/remove", "/calendar-feed"} {
			bodiless = bodiless || strings.HasSuffix(path, action)
		}
		if (method == "POST" || method == "PATCH") && strings.HasPrefix(path, "/api/v1/") && op.RequestBody == nil && !bodiless {
			t.Errorf("%s: no request body schema", rt)
		}
	}
}

// pathParam writes a mux pattern ("/media/{key...}") as OpenAPI does.
func pathParam(p string) string { return strings.ReplaceAll(p, "...}", "}") }
