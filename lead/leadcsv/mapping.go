package leadcsv

import (
	"strings"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/csvio"
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

// format is the lead CSV format: the frame internal/csvio runs with this
// package's field set and limits.
var format = csvio.Format[field, *RowError]{
	Name:          "leadcsv",
	RowError:      func(line int, err error) *RowError { return &RowError{Line: line, Err: err} },
	Parse:         parseField,
	Repeatable:    func(f field) bool { return repeatable(f.kind) },
	StrictListSep: true,
	CheckOrigin: func(v *crm.Validator, o csvio.Origin) {
		v.Check(!o.Change.At.IsZero(), "change.at", "required: the capture time")
	},
	MaxColumns:         MaxColumns,
	MaxHeaderLen:       MaxHeaderLen,
	MaxCellLen:         MaxCellLen,
	MaxRowFields:       maxRowFields,
	DefaultBatchSize:   DefaultBatchSize,
	MaxBatchSize:       MaxBatchSize,
	DefaultMaxRejected: DefaultMaxRejected,
}

// layout returns the part of m the CSV frame reads.
func (m Mapping) layout() csvio.Layout {
	return csvio.Layout{Columns: csvio.Columns(m.Columns), Header: m.Header, Comma: m.Comma, ListSep: m.ListSep}
}

// Validate returns a *crm.ValidationError listing every problem of m.
func (m Mapping) Validate() error {
	var v crm.Validator
	format.Check(&v, m.layout())
	if m.Defaults.Channel != 0 {
		v.Check(m.Defaults.Channel.Valid(), "defaults.channel", "unknown channel")
	}
	if m.Defaults.Source.Kind != 0 {
		v.Check(m.Defaults.Source.Kind.Valid(), "defaults.source.kind", "unknown source")
	}
	return v.Err("leadcsv.Mapping")
}
