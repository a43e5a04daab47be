// Package doccheck type-checks the Go snippets of the repository's docs:
// the ```go blocks of README.md and the code blocks of every package
// comment. A snippet is a fragment, so the check is lenient about what a
// fragment cannot have (free variables such as ctx or pool, unused
// variables and imports) and strict about what drifts when the code
// changes: package-qualified names, signatures, the number of results,
// field names and types.
package doccheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/doc/comment"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// known maps the package names snippets use without importing them to
// their import paths.
var known = map[string]string{
	"crm":         "github.com/crmkit/crm",
	"customer":    "github.com/crmkit/crm/customer",
	"complaint":   "github.com/crmkit/crm/complaint",
	"calendar":    "github.com/crmkit/crm/calendar",
	"scoring":     "github.com/crmkit/crm/scoring",
	"storage":     "github.com/crmkit/crm/storage",
	"memory":      "github.com/crmkit/crm/storage/memory",
	"storagetest": "github.com/crmkit/crm/storage/storagetest",
	"postgres":    "github.com/crmkit/crm/storage/postgres",
	"pgxpool":     "github.com/jackc/pgx/v5/pgxpool",
	"pgx":         "github.com/jackc/pgx/v5",
	"decimal":     "github.com/shopspring/decimal",
	"context":     "context",
	"errors":      "errors",
	"fmt":         "fmt",
	"time":        "time",
	"testing":     "testing",
	"slog":        "log/slog",
	"json":        "encoding/json",
	"os":          "os",
	"log":         "log",
}

type snippet struct {
	where string // file:line
	code  string
}

func root(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skipf("not in a git checkout: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// readmeSnippets returns the ```go blocks of a Markdown file.
func readmeSnippets(t *testing.T, path string) []snippet {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []snippet
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```go" {
			continue
		}
		start := i + 1
		var code []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			code = append(code, lines[i])
		}
		out = append(out, snippet{where: fmt.Sprintf("%s:%d", filepath.Base(path), start), code: strings.Join(code, "\n")})
	}
	return out
}

// docSnippets returns the code blocks of the package comments in dir.
func docSnippets(t *testing.T, top, dir string) []snippet {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []snippet
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil || f.Doc == nil {
			continue
		}
		rel, _ := filepath.Rel(top, path)
		var p comment.Parser
		d := p.Parse(f.Doc.Text())
		for _, b := range d.Content {
			if c, ok := b.(*comment.Code); ok {
				out = append(out, snippet{where: fmt.Sprintf("%s (package comment)", rel), code: c.Text})
			}
		}
	}
	return out
}

var ellipsisArg = regexp.MustCompile(`(\(|, *)(?:…|\.\.\.)(\)|,)`)

// source turns a snippet into a file, or reports that it is not Go.
func source(code string) (string, bool) {
	code = ellipsisArg.ReplaceAllString(code, "${1}nil${2}")
	var imports, body []string
	lines := strings.Split(code, "\n")
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		switch {
		case l == "import (":
			for ; i < len(lines) && strings.TrimSpace(lines[i]) != ")"; i++ {
				imports = append(imports, lines[i])
			}
			imports = append(imports, ")")
		case strings.HasPrefix(l, "import "):
			imports = append(imports, lines[i])
		case l == "…" || l == "..." || strings.HasPrefix(l, "package "):
		default:
			body = append(body, lines[i])
		}
	}
	head := "package snippet\n\n" + strings.Join(imports, "\n") + "\n"
	fset := token.NewFileSet()
	asDecls := head + strings.Join(body, "\n") + "\n"
	if f, err := parser.ParseFile(fset, "s.go", asDecls, 0); err == nil && hasNonImportDecl(f) {
		return asDecls, true
	}
	asFunc := head + "func _() {\n\tvar ctx context.Context\n\t_ = ctx\n" + strings.Join(body, "\n") + "\n}\n"
	if _, err := parser.ParseFile(fset, "s.go", asFunc, 0); err == nil {
		return asFunc, true
	}
	return "", false
}

func hasNonImportDecl(f *ast.File) bool {
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); !ok || g.Tok != token.IMPORT {
			return true
		}
	}
	return false
}

// addImports adds an import for every known package name the file uses
// but does not import.
func addImports(fset *token.FileSet, src string) (*ast.File, error) {
	f, err := parser.ParseFile(fset, "s.go", src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, im := range f.Imports {
		p := strings.Trim(im.Path.Value, `"`)
		name := p[strings.LastIndex(p, "/")+1:]
		if im.Name != nil {
			name = im.Name.Name
		}
		if strings.HasPrefix(name, "v") && len(name) == 2 { // .../pgx/v5
			name = filepath.Base(filepath.Dir(p))
		}
		have[name] = true
	}
	need := map[string]bool{"context": true}
	ast.Inspect(f, func(n ast.Node) bool {
		if se, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := se.X.(*ast.Ident); ok && known[id.Name] != "" {
				need[id.Name] = true
			}
		}
		return true
	})
	var extra []string
	for name := range need {
		if !have[name] {
			extra = append(extra, fmt.Sprintf("import %s %q", name, known[name]))
		}
	}
	sort.Strings(extra)
	src = strings.Replace(src, "package snippet\n", "package snippet\n\n"+strings.Join(extra, "\n")+"\n", 1)
	return parser.ParseFile(fset, "s.go", src, parser.ParseComments)
}

// exports maps import paths to export data files, from go list.
func exports(t *testing.T, top string) map[string]string {
	t.Helper()
	var paths []string
	for _, p := range known {
		paths = append(paths, p)
	}
	cmd := exec.Command("go", append([]string{"list", "-export", "-deps", "-json=ImportPath,Export"}, paths...)...)
	cmd.Dir = top
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	m := map[string]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct{ ImportPath, Export string }
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		m[p.ImportPath] = p.Export
	}
	return m
}

// lenient reports whether a type error is one a fragment is allowed.
func lenient(e types.Error) bool {
	if e.Soft { // unused variables and imports
		return true
	}
	msg := e.Msg
	return strings.HasPrefix(msg, "undefined: ") && !strings.Contains(msg, ".")
}

func TestDocSnippetsCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the docs' snippets; skipped with -short")
	}
	top := root(t)
	if gw, err := exec.Command("go", "env", "GOWORK").Output(); err != nil || strings.TrimSpace(string(gw)) == "" || strings.TrimSpace(string(gw)) == "off" {
		t.Skip("needs the repository's go.work (the snippets import every module); GOWORK is off")
	}
	snips := readmeSnippets(t, filepath.Join(top, "README.md"))
	out, err := exec.Command("git", "-C", top, "ls-files", "*.go").Output()
	if err != nil {
		t.Fatal(err)
	}
	dirs := map[string]bool{}
	for _, f := range strings.Fields(string(out)) {
		if !strings.HasPrefix(f, "examples/") {
			dirs[filepath.Join(top, filepath.Dir(f))] = true
		}
	}
	sorted := make([]string, 0, len(dirs))
	for d := range dirs {
		sorted = append(sorted, d)
	}
	sort.Strings(sorted)
	for _, d := range sorted {
		snips = append(snips, docSnippets(t, top, d)...)
	}
	exp := exports(t, top)
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exp[path]
		if !ok || f == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(f)
	})
	checked := 0
	for _, s := range snips {
		src, ok := source(s.code)
		if !ok {
			t.Logf("%s: not Go, not checked:\n%s", s.where, s.code)
			continue // a diagram or a shell line
		}
		f, err := addImports(fset, src)
		if err != nil {
			t.Errorf("%s: %v", s.where, err)
			continue
		}
		var problems []string
		conf := types.Config{Importer: imp, Error: func(err error) {
			var te types.Error
			if errors.As(err, &te) && !lenient(te) {
				problems = append(problems, te.Msg)
			}
		}}
		_, _ = conf.Check("snippet", fset, []*ast.File{f}, nil)
		if len(problems) > 0 {
			t.Errorf("%s: the snippet does not compile:\n\t%s\n--- snippet as checked:\n%s", s.where, strings.Join(problems, "\n\t"), src)
		}
		checked++
	}
	if checked < 5 {
		t.Fatalf("only %d snippets were checked: the extraction is broken", checked)
	}
	t.Logf("%d of %d snippets are Go and compile", checked, len(snips))
}
