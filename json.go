package crm

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// DecodeJSON decodes exactly one JSON value from data into v, strictly: an
// unknown field, a value of the wrong type, malformed JSON or anything after
// the value is refused with a *ValidationError for op, whose path names the
// offending field (e.g. "emails.0.address") where it is known. Member
// names are matched exactly: "Name" is not "name" (encoding/json alone would
// take it). Every JSON
// form of the library decodes through it, so every one refuses alike.
func DecodeJSON(data []byte, v any, op string) error {
	if err := exactKeys(data, reflect.TypeOf(v), ""); err != nil {
		return Invalid(op, err.path, err.problem)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(op, err, locate(data, reflect.TypeOf(v), ""))
	}
	if _, err := dec.Token(); err != io.EOF {
		return Invalid(op, "", "unexpected data after the JSON value")
	}
	return nil
}

// jsonError turns an encoding/json error into a *ValidationError. at is
// where in the document the decoding failed (see locate): encoding/json
// does not say where an UnmarshalJSON or UnmarshalText method failed, and
// names a map's member without its key.
func jsonError(op string, err error, at string) error {
	var ve *ValidationError
	if errors.As(err, &ve) { // from a nested UnmarshalJSON or UnmarshalText
		if at == "" {
			return err
		}
		out := &ValidationError{Op: op, Fields: make([]FieldError, len(ve.Fields))}
		for i, f := range ve.Fields {
			out.Fields[i] = FieldError{Path: joinPath(at, f.Path), Problem: f.Problem}
		}
		return out
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		path := te.Field
		if at != "" {
			path = at
		}
		return Invalid(op, path, "must be a JSON "+jsonKind(te.Type.Kind().String())+", not "+te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return Invalid(op, "", "malformed JSON: "+se.Error())
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return Invalid(op, "", "malformed JSON: unexpected end of input")
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return Invalid(op, joinPath(at, strings.Trim(name, `"`)), "unknown field")
	}
	return Invalid(op, at, strings.TrimPrefix(msg, "json: "))
}

// joinPath appends a nested path to its parent's.
func joinPath(parent, child string) string {
	switch {
	case parent == "":
		return child
	case child == "":
		return parent
	case strings.HasPrefix(child, "["):
		return parent + child
	}
	return parent + "." + child
}

// locate finds where decoding data into type t fails: it decodes the
// document member by member and element by element, in document order,
// and returns the path of the deepest part that fails on its own ("" when
// t decodes itself or nothing smaller fails). It runs only after a
// decoding error, so its cost does not matter.
func locate(data []byte, t reflect.Type, path string) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return path
	}
	fails := func(raw []byte, t reflect.Type) bool {
		return json.Unmarshal(raw, reflect.New(t).Interface()) != nil
	}
	switch t.Kind() {
	case reflect.Struct:
		fields := map[string]reflect.Type{}
		jsonFields(t, fields)
		for _, m := range members(data) {
			if ft, ok := fields[m.name]; ok && fails(m.raw, ft) {
				return locate(m.raw, ft, joinPath(path, m.name))
			}
		}
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(data, &items) != nil {
			return path
		}
		for i, raw := range items {
			if fails(raw, t.Elem()) {
				return locate(raw, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
			}
		}
	case reflect.Map:
		for _, m := range members(data) {
			if fails(m.raw, t.Elem()) {
				return locate(m.raw, t.Elem(), joinPath(path, m.name))
			}
		}
	}
	return path
}

// member is one name/value pair of a JSON object.
type member struct {
	name string
	raw  json.RawMessage
}

// members returns the members of the JSON object in data in document
// order (nil when data is not an object).
func members(data []byte) []member {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		name, _ := tok.(string)
		var raw json.RawMessage
		if dec.Decode(&raw) != nil {
			return out
		}
		out = append(out, member{name: name, raw: raw})
	}
	return out
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "map", "struct":
		return "object"
	default:
		return "number"
	}
}

// keyError is a member name that matches a field only when case is ignored.
type keyError struct{ path, problem string }

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// exactKeys walks data along the type t that will decode it and refuses a
// member whose name matches a field of a struct only when case is ignored.
// Types that decode themselves (json.Unmarshaler) check their own input;
// anything malformed is left for the decoder to report.
func exactKeys(data []byte, t reflect.Type, path string) *keyError {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return nil
	}
	join := func(name string) string {
		if path == "" {
			return name
		}
		return path + "." + name
	}
	switch t.Kind() {
	case reflect.Struct:
		var members map[string]json.RawMessage
		if json.Unmarshal(data, &members) != nil {
			return nil
		}
		fields := map[string]reflect.Type{}
		jsonFields(t, fields)
		for name, raw := range members {
			if ft, ok := fields[name]; ok {
				if err := exactKeys(raw, ft, join(name)); err != nil {
					return err
				}
				continue
			}
			for known := range fields {
				if strings.EqualFold(known, name) {
					return &keyError{path: join(name), problem: fmt.Sprintf("unknown field (member names are case-sensitive: %q)", known)}
				}
			}
		}
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(data, &items) != nil {
			return nil
		}
		for i, raw := range items {
			if err := exactKeys(raw, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		var members map[string]json.RawMessage
		if json.Unmarshal(data, &members) != nil {
			return nil
		}
		for name, raw := range members {
			if err := exactKeys(raw, t.Elem(), join(name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonFields collects the member names encoding/json gives the exported
// fields of struct type t, with their types, embedded structs flattened.
func jsonFields(t reflect.Type, into map[string]reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				jsonFields(ft, into)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		into[name] = f.Type
	}
}
