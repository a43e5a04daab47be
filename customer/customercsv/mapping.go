package customercsv

import (
	"fmt"
	"strings"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/csvio"
)

// Limits of a mapping.
const (
	// MaxColumns bounds the columns of a mapping (and of a row).
	MaxColumns = 200
	// MaxHeaderLen bounds a column's header, in bytes.
	MaxHeaderLen = 200
	// MaxCellLen bounds one cell, in bytes; a longer cell rejects its row.
	MaxCellLen = 64 << 10
)

// Column maps one column of the file to a customer field.
type Column struct {
	// Header is the column's header when Mapping.Header is set; otherwise
	// columns are taken in order and Header is only a label for Export.
	Header string `json:"header"`
	// Field is the customer field (see the package documentation), or ""
	// to ignore the column.
	Field string `json:"field"`
}

// Defaults fill fields no column gives, or that a row leaves empty.
type Defaults struct {
	Kind     customer.Kind   `json:"kind,omitempty"`
	Roles    []customer.Role `json:"roles,omitempty"`
	Owner    crm.UserID      `json:"owner,omitempty"`
	TimeZone string          `json:"time_zone,omitempty"`
}

// Mapping says how rows become customers, and customers rows.
type Mapping struct {
	Columns []Column `json:"columns"`
	// Header reports that the first row holds headers; columns are then
	// found by Column.Header (case-insensitive, spaces trimmed) and the
	// file may hold other columns, which are ignored.
	Header bool `json:"header"`
	// Comma is the field separator; 0 means ','.
	Comma rune `json:"comma,omitempty"`
	// ListSep separates values inside a cell of roles, tags, email or
	// phone; "" means ";".
	ListSep string `json:"list_sep,omitempty"`
	// DefaultRegion is the ISO 3166 region of phone numbers written
	// without a country code.
	DefaultRegion string   `json:"default_region,omitempty"`
	Defaults      Defaults `json:"defaults"`
}

// field is a parsed Column.Field.
type field struct {
	kind string // "id", "name", …, "attr", "pref", "date"
	key  string // for attr, pref, date
}

var plainFields = map[string]bool{
	"id": true, "name": true, "kind": true, "roles": true, "owner": true, "email": true, "phone": true,
	"time_zone": true, "stage": true, "loyalty": true, "lifecycle": true, "tags": true, "notes": true,
	"address": true, "address.locality": true, "address.postal_code": true, "address.area": true,
}

func parseField(s string) (field, bool) {
	if plainFields[s] {
		return field{kind: s}, true
	}
	for _, p := range []string{"attr.", "pref.", "date."} {
		if k, ok := strings.CutPrefix(s, p); ok && k != "" && len(k) <= customer.MaxKeyLen {
			return field{kind: strings.TrimSuffix(p, "."), key: k}, true
		}
	}
	return field{}, false
}

// format is the customer CSV format: the frame internal/csvio runs with
// this package's field set and limits.
var format = csvio.Format[field, *RowError]{
	Name:               "customercsv",
	RowError:           func(line int, err error) *RowError { return &RowError{Line: line, Err: err} },
	Parse:              parseField,
	Repeatable:         func(f field) bool { return multi(f.kind) },
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
	if m.Defaults.Kind != 0 {
		v.Check(m.Defaults.Kind.Valid(), "defaults.kind", "unknown kind")
	}
	for i, r := range m.Defaults.Roles {
		v.Check(r.Valid(), fmt.Sprintf("defaults.roles[%d]", i), "unknown role")
	}
	if m.Defaults.Owner != "" {
		v.Merge("defaults.owner", m.Defaults.Owner.Validate())
	}
	return v.Err("customercsv.Mapping")
}

// multi reports whether a field may be mapped by several columns, whose
// values add up.
func multi(kind string) bool {
	switch kind {
	case "email", "phone", "tags", "roles", "address":
		return true
	}
	return false
}
