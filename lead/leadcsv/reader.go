package leadcsv

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
)

// RowError reports a row that could not become a lead. It unwraps to the
// problem, a *crm.ValidationError (errors.Is(err, crm.ErrInvalid) holds)
// whose paths name the columns by header (or field), or lead fields.
type RowError struct {
	// Line is the line of the file where the row starts, from 1.
	Line int
	// Err holds every problem of the row.
	Err error
}

// Error returns "line N: problems".
func (e *RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Err.Error()) }

// Unwrap returns the row's problems.
func (e *RowError) Unwrap() error { return e.Err }

// Reader reads leads from CSV, one row at a time. It is not safe for
// concurrent use.
type Reader struct {
	csv    *csv.Reader
	m      Mapping
	tenant crm.TenantID
	ids    crm.IDGenerator
	ch     lead.Change
	cols   []column
}

// column is a mapped column with its position in the row.
type column struct {
	index int
	name  string
	field field
}

// NewReader returns a reader of r for tenant. ids makes the IDs of rows
// without an id column (nil: crm.UUIDv7); ch is the change every lead is
// captured by (its At must be set: the capture time). With m.Header set
// the header row is read here, and a mapped header the file lacks is an
// error.
func NewReader(r io.Reader, tenant crm.TenantID, m Mapping, ids crm.IDGenerator, ch lead.Change) (*Reader, error) {
	const op = "leadcsv.NewReader"
	var v crm.Validator
	v.Check(r != nil, "r", "must not be nil")
	v.Merge("tenant", tenant.Validate())
	v.Merge("mapping", m.Validate())
	v.Merge("change", ch.Validate())
	v.Check(!ch.At.IsZero(), "change.at", "required: the capture time")
	if err := v.Err(op); err != nil {
		return nil, err
	}
	if ids == nil {
		ids = crm.UUIDv7{}
	}
	cr := csv.NewReader(r)
	cr.Comma = m.comma()
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	rd := &Reader{csv: cr, m: m, tenant: tenant, ids: ids, ch: ch}
	if !m.Header {
		for i, c := range m.Columns {
			if c.Field != "" {
				f, _ := parseField(c.Field)
				rd.cols = append(rd.cols, column{index: i, name: label(c), field: f})
			}
		}
		return rd, nil
	}
	head, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		return nil, crm.Invalid(op, "r", "the file is empty: no header row")
	case err != nil:
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, crm.Invalid(op, "header", pe.Err.Error())
		}
		return nil, fmt.Errorf("leadcsv: header row: %w", err)
	}
	at := make(map[string]int, len(head))
	for i, h := range head {
		if _, seen := at[normHeader(h)]; !seen {
			at[normHeader(h)] = i
		}
	}
	for i, c := range m.Columns {
		if c.Field == "" {
			continue
		}
		idx, ok := at[normHeader(c.Header)]
		if !ok {
			v.Addf(fmt.Sprintf("mapping.columns[%d].header", i), "the file has no column %q", c.Header)
			continue
		}
		f, _ := parseField(c.Field)
		rd.cols = append(rd.cols, column{index: idx, name: label(c), field: f})
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	return rd, nil
}

// Next returns the next row's lead, ready to store at version 0. A row
// that cannot become one returns a *RowError, and the next call goes on
// with the following row; the end of the file returns io.EOF. Blank rows
// are skipped.
func (r *Reader) Next() (*lead.Lead, error) {
	for {
		rec, err := r.csv.Read()
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &RowError{Line: pe.StartLine, Err: crm.Invalid("leadcsv.Row", "", pe.Err.Error())}
			}
			return nil, fmt.Errorf("leadcsv: read: %w", err)
		}
		line, _ := r.csv.FieldPos(0)
		if blank(rec) {
			continue
		}
		l, err := r.build(rec)
		if err != nil {
			return nil, &RowError{Line: line, Err: err}
		}
		return l, nil
	}
}

func blank(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// build turns one row into a lead.
func (r *Reader) build(rec []string) (*lead.Lead, error) {
	var v crm.Validator
	if len(rec) > maxRowFields {
		v.Addf("", "more than %d fields", maxRowFields)
		return nil, v.Err("leadcsv.Row")
	}
	in := lead.NewInput{Tenant: r.tenant, Team: r.m.Defaults.Team, Channel: r.m.Defaults.Channel,
		Source: r.m.Defaults.Source, DefaultRegion: r.m.DefaultRegion}
	var addr customer.Address
	for _, col := range r.cols {
		cell := ""
		if col.index < len(rec) {
			cell = strings.TrimSpace(rec[col.index])
		}
		if cell == "" {
			continue
		}
		if len(cell) > MaxCellLen {
			v.Addf(col.name, "longer than %d bytes", MaxCellLen)
			continue
		}
		r.apply(&v, &in, &addr, col, cell)
	}
	if err := v.Err("leadcsv.Row"); err != nil {
		return nil, err
	}
	if len(addr.Lines) > 0 || addr.Locality != "" || addr.PostalCode != "" || addr.AdministrativeArea != "" || addr.Country != "" {
		in.Address = &addr
	}
	if in.ID.IsZero() {
		id, err := r.ids.NewID()
		if err != nil {
			return nil, fmt.Errorf("leadcsv: new ID: %w", err)
		}
		in.ID = id
	}
	return lead.New(in, r.ch)
}

// apply reads one cell into in and addr.
func (r *Reader) apply(v *crm.Validator, in *lead.NewInput, addr *customer.Address, col column, cell string) {
	switch col.field.kind {
	case "id":
		id, err := crm.ParseID(cell)
		if v.Check(err == nil && !id.IsZero(), col.name, "not an ID") {
			in.ID = id
		}
	case "name":
		in.Name = cell
	case "title":
		in.Title = cell
	case "company":
		in.Company = cell
	case "industry":
		in.Industry = cell
	case "kind":
		k, err := customer.ParseKind(cell)
		if v.Check(err == nil, col.name, "unknown kind") {
			in.Kind = k
		}
	case "company_size":
		n, err := strconv.Atoi(cell)
		if v.Check(err == nil && n >= 0, col.name, "not a number of employees") {
			in.CompanySize = n
		}
	case "language":
		in.Language = cell
	case "topics":
		in.Topics = append(in.Topics, r.split(cell)...)
	case "email":
		in.Emails = append(in.Emails, r.split(cell)...)
	case "phone":
		in.Phones = append(in.Phones, joinExtensions(r.split(cell))...)
	case "team":
		in.Team = cell
	case "channel":
		c, err := customer.ParseChannel(cell)
		if v.Check(err == nil, col.name, "unknown channel") {
			in.Channel = c
		}
	case "source":
		k, err := lead.ParseSourceKind(cell)
		if v.Check(err == nil, col.name, "unknown source") {
			in.Source.Kind = k
		}
	case "source.detail":
		in.Source.Detail = cell
	case "source.campaign", "source.referrer":
		id, err := crm.ParseID(cell)
		if !v.Check(err == nil && !id.IsZero(), col.name, "not an ID") {
			return
		}
		if col.field.kind == "source.campaign" {
			in.Source.Campaign = id
		} else {
			in.Source.Referrer = id
		}
	case "key_prospect":
		b, err := strconv.ParseBool(cell)
		if v.Check(err == nil, col.name, "not true or false") {
			in.KeyProspect = b
		}
	case "address":
		addr.Lines = append(addr.Lines, cell)
	case "address.locality":
		addr.Locality = cell
	case "address.postal_code":
		addr.PostalCode = cell
	case "address.area":
		addr.AdministrativeArea = cell
	case "address.country":
		addr.Country = cell
	case "attr":
		if in.Attributes == nil {
			in.Attributes = map[string]string{}
		}
		in.Attributes[col.field.key] = cell
	}
}

// split cuts a cell into its non-empty values.
func (r *Reader) split(cell string) []string {
	parts := strings.Split(cell, r.m.listSep())
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// joinExtensions puts an "ext=" parameter that a ";" list separator cut
// off back on its number.
func joinExtensions(parts []string) []string {
	out := parts[:0]
	for _, p := range parts {
		if strings.HasPrefix(strings.ToLower(p), "ext=") && len(out) > 0 {
			out[len(out)-1] += ";" + p
			continue
		}
		out = append(out, p)
	}
	return out
}
