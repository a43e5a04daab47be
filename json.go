package crm

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// DecodeJSON decodes exactly one JSON value from data into v, strictly: an
// unknown field, a value of the wrong type, malformed JSON or anything after
// the value is refused with a *ValidationError for op, whose path names the
// offending field (e.g. "emails.0.address") where it is known. Every JSON
// form of the library decodes through it, so every one refuses alike.
func DecodeJSON(data []byte, v any, op string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(op, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Invalid(op, "", "unexpected data after the JSON value")
	}
	return nil
}

// jsonError turns an encoding/json error into a *ValidationError.
func jsonError(op string, err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) { // from a nested UnmarshalJSON or UnmarshalText
		return err
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return Invalid(op, te.Field, "must be a JSON "+jsonKind(te.Type.Kind().String())+", not "+te.Value)
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
		return Invalid(op, strings.Trim(name, `"`), "unknown field")
	}
	return Invalid(op, "", strings.TrimPrefix(msg, "json: "))
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
