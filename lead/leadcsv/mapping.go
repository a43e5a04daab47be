package leadcsv

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
)

// Limits of a mapping and of a row.
const (
	// MaxColumns bounds the columns of a mapping.
	MaxColumns = 200
	// MaxHeaderLen bounds a column's header, in bytes.
	MaxHeaderLen = 200
	// MaxCellLen bounds one cell, in bytes; a longer cell rejects its row.
	MaxCellLen = 64 << 10
	// maxRowFields bounds the fields of one row, mapped or not.
	maxRowFields = 1000
)

// Column maps one column of the file to a lead field.
type Column struct {
	// Header is the column's header when Mapping.Header is set; otherwise
	// columns are taken in order and Header only labels the column in
	// errors and in Export's header row.
	Header string `json:"header"`
	// Field is the lead field (see the package documentation), or "" to
	// ignore the column.
	Field string `json:"field"`
}

// Defaults fill fields no column gives, or that a row leaves empty.
type Defaults struct {
	// Channel is how the leads came in; required unless a column gives it.
	Channel customer.Channel `json:"channel,omitempty"`
	// Source is where they came from; its Kind is required unless a column
	// gives it.
	Source lead.Source `json:"source,omitzero"`
	// Team is the team of the leads ("" the default team).
	Team string `json:"team,omitempty"`
}

// Mapping says how rows become leads, and leads rows.
type Mapping struct {
	Columns []Column `json:"columns"`
	// Header reports that the first row holds headers; columns are then
	// found by Column.Header (case-insensitive, spaces trimmed) and the
	// file may hold other columns, which are ignored.
	Header bool `json:"header"`
	// Comma is the field separator; 0 means ','.
	Comma rune `json:"comma,omitempty"`
	// ListSep separates values inside a cell of email, phone or topics;
	// "" means ";".
	ListSep string `json:"list_sep,omitempty"`
	// DefaultRegion is the ISO 3166 region of phone numbers written
	// without a country code.
	DefaultRegion string   `json:"default_region,omitempty"`
	Defaults      Defaults `json:"defaults"`
}

// field is a parsed Column.Field: its kind, and the key of an attribute.
type field struct {
	kind string
	key  string
}

var fields = map[string]bool{
	"id": true, "name": true, "title": true, "company": true, "industry": true, "kind": true,
	"company_size": true, "language": true, "topics": true, "email": true, "phone": true, "team": true,
	"channel": true, "source": true, "source.detail": true, "source.campaign": true, "source.referrer": true,
	"key_prospect": true, "address": true, "address.locality": true, "address.postal_code": true,
	"address.area": true, "address.country": true,
}

func parseField(s string) (field, bool) {
	if fields[s] {
		return field{kind: s}, true
	}
	if k, ok := strings.CutPrefix(s, "attr."); ok && k != "" && len(k) <= lead.MaxKeyLen {
		return field{kind: "attr", key: k}, true
	}
	return field{}, false
}

// repeatable reports whether several columns may map the field, their
// values adding up.
func repeatable(kind string) bool {
	switch kind {
	case "email", "phone", "topics", "address":
		return true
	}
	return false
}

func (m Mapping) comma() rune {
	if m.Comma == 0 {
		return ','
	}
	return m.Comma
}

func (m Mapping) listSep() string {
	if m.ListSep == "" {
		return ";"
	}
	return m.ListSep
}

// Validate returns a *crm.ValidationError listing every problem of m.
func (m Mapping) Validate() error {
	var v crm.Validator
	v.Check(len(m.Columns) > 0, "columns", "at least one column is required")
	v.Check(len(m.Columns) <= MaxColumns, "columns", fmt.Sprintf("more than %d", MaxColumns))
	c := m.comma()
	v.Check(c != '"' && c != '\r' && c != '\n' && c != utf8.RuneError && utf8.ValidRune(c), "comma", "not a usable separator")
	v.Check(!strings.ContainsAny(m.ListSep, "\"\r\n") && len(m.ListSep) <= 8 && utf8.ValidString(m.ListSep) &&
		!strings.ContainsRune(m.ListSep, c), "list_sep", "not a usable separator")
	headers := map[string]bool{}
	mapped := map[string]bool{}
	for i, col := range m.Columns {
		p := fmt.Sprintf("columns[%d]", i)
		v.Check(utf8.ValidString(col.Header) && len(col.Header) <= MaxHeaderLen, p+".header", "too long or not UTF-8")
		if m.Header {
			h := normHeader(col.Header)
			v.Check(h != "", p+".header", "required when the file has a header row")
			if h != "" && headers[h] {
				v.Addf(p+".header", "repeats an earlier column's header")
			}
			headers[h] = true
		}
		if col.Field == "" {
			continue
		}
		f, ok := parseField(col.Field)
		v.Check(ok, p+".field", "unknown field")
		if ok && mapped[col.Field] && !repeatable(f.kind) {
			v.Addf(p+".field", "mapped twice")
		}
		mapped[col.Field] = true
	}
	if m.Defaults.Channel != 0 {
		v.Check(m.Defaults.Channel.Valid(), "defaults.channel", "unknown channel")
	}
	if m.Defaults.Source.Kind != 0 {
		v.Check(m.Defaults.Source.Kind.Valid(), "defaults.source.kind", "unknown source")
	}
	return v.Err("leadcsv.Mapping")
}

func normHeader(h string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
}

// label names a column in errors and header rows.
func label(c Column) string {
	if h := strings.TrimSpace(c.Header); h != "" {
		return h
	}
	return c.Field
}
