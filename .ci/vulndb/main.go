// Command vulndb turns the OSV files of the golang.org/x/vulndb module
// (data/osv) into the layout govulncheck reads with -db file://DIR, for a
// machine that cannot reach vuln.go.dev. Usage: vulndb OSV_DIR OUT_DIR.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

type entry struct {
	ID       string   `json:"id"`
	Modified string   `json:"modified"`
	Aliases  []string `json:"aliases,omitempty"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Events []map[string]string `json:"events"`
		} `json:"ranges"`
	} `json:"affected"`
}

type moduleVuln struct {
	ID       string `json:"id"`
	Modified string `json:"modified"`
	Fixed    string `json:"fixed,omitempty"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: vulndb OSV_DIR OUT_DIR")
		os.Exit(2)
	}
	if err := build(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "vulndb:", err)
		os.Exit(1)
	}
}

func build(src, dst string) error {
	files, err := filepath.Glob(filepath.Join(src, "*.json"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no OSV files in %s (%v)", src, err)
	}
	for _, d := range []string{"index", "ID"} {
		if err := os.MkdirAll(filepath.Join(dst, d), 0o755); err != nil {
			return err
		}
	}
	modules := map[string][]moduleVuln{}
	var vulns []map[string]any
	latest := ""
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var e entry
		if err := json.Unmarshal(b, &e); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if err := os.WriteFile(filepath.Join(dst, "ID", e.ID+".json"), b, 0o644); err != nil {
			return err
		}
		latest = max(latest, e.Modified)
		vulns = append(vulns, map[string]any{"id": e.ID, "modified": e.Modified, "aliases": e.Aliases})
		for _, a := range e.Affected {
			v := moduleVuln{ID: e.ID, Modified: e.Modified}
			for _, r := range a.Ranges {
				for _, ev := range r.Events {
					if f, ok := ev["fixed"]; ok {
						v.Fixed = f
					}
				}
			}
			modules[a.Package.Name] = append(modules[a.Package.Name], v)
		}
	}
	paths := make([]string, 0, len(modules))
	for p := range modules {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	index := make([]map[string]any, 0, len(paths))
	for _, p := range paths {
		index = append(index, map[string]any{"path": p, "vulns": modules[p]})
	}
	for name, v := range map[string]any{"db.json": map[string]string{"modified": latest}, "modules.json": index, "vulns.json": vulns} {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, "index", name), b, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("%d advisories for %d modules\n", len(files), len(paths))
	return nil
}
