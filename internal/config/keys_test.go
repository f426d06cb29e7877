package config

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestShippedConfigDocumentsEveryKey checks the shipped config.yaml against
// the definition of each key (its Config field): the key is there, with its
// default value, under a comment that holds the field's doc comment.
func TestShippedConfigDocumentsEveryKey(t *testing.T) {
	shipped := shippedKeys(t)
	docs := fieldDocs(t)
	def := Default()
	for _, k := range keys().list {
		n, ok := shipped[k.name]
		if !ok {
			t.Errorf("%s is missing from config.yaml", k.name)
			continue
		}
		got := &Config{}
		if err := k.decode(newDecoder("config.yaml", got), k, n.value, k.value(got)); err != nil {
			t.Errorf("config.yaml:%d: %s: %v", n.key.Line, k.name, err)
		} else if want := k.value(def).Interface(); !reflect.DeepEqual(k.value(got).Interface(), want) {
			t.Errorf("config.yaml:%d: %s is %q, but its default is %v (default tag %q)", n.key.Line, k.name, n.value.Value, want, k.def)
		}
		doc := docs[fieldOf(k.index)]
		if doc == "" {
			t.Errorf("%s (field %s) has no doc comment", k.name, fieldOf(k.index))
		}
		if c := words(n.key.HeadComment); doc == "" || !strings.HasPrefix(c, doc) {
			t.Errorf("config.yaml:%d: the comment above %s does not start with its doc comment:\n  comment: %s\n  doc:     %s",
				n.key.Line, k.name, c, doc)
		}
	}
	for name := range keys().sections {
		if _, ok := shipped[name]; !ok {
			t.Errorf("section %s is missing from config.yaml", name)
		}
	}
}

func TestEnvTagsAreTheDocumentedVariables(t *testing.T) {
	for key, env := range map[string]string{"telegram.token": EnvBotToken, "telegram.webhook.secret": EnvWebhookSecret, "cards.secret": EnvCardsSecret} {
		if k := keys().byName[key]; k == nil || k.env != env {
			t.Errorf("%s: env tag %+v, want %s", key, k, env)
		}
	}
}

// shippedEntry is a key of the shipped config.yaml and its value.
type shippedEntry struct{ key, value *yaml.Node }

// shippedKeys reads the shipped config.yaml into its dotted keys.
func shippedKeys(t *testing.T) map[string]shippedEntry {
	t.Helper()
	data, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]shippedEntry{}
	var walk func(prefix string, m *yaml.Node)
	walk = func(prefix string, m *yaml.Node) {
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			name := prefix + k.Value
			out[name] = shippedEntry{k, v}
			if v.Kind == yaml.MappingNode {
				walk(name+".", v)
			}
		}
	}
	walk("", doc.Content[0])
	return out
}

// fieldOf names the field at index from Config, as "Type.Field".
func fieldOf(index []int) string {
	st := reflect.TypeFor[Config]()
	for _, i := range index[:len(index)-1] {
		st = st.Field(i).Type
	}
	return st.Name() + "." + st.Field(index[len(index)-1]).Name
}

// fieldDocs reads the doc comments of the struct fields declared in this
// package's source, by "Type.Field".
func fieldDocs(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			if st, ok := ts.Type.(*ast.StructType); ok {
				for _, fl := range st.Fields.List {
					for _, id := range fl.Names {
						docs[ts.Name.Name+"."+id.Name] = words(fl.Doc.Text())
					}
				}
			}
			return false
		})
	}
	return docs
}

// words joins the words of a comment with single spaces, dropping "#".
func words(comment string) string {
	var out []string
	for _, line := range strings.Split(comment, "\n") {
		out = append(out, strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "#"))...)
	}
	return strings.Join(out, " ")
}
