package customercsv

import (
	"fmt"
	"io"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/csvio"
)

// maxRowFields bounds the fields of one row of the file, mapped or not.
const maxRowFields = 1000

// RowError reports a row that could not become a customer. It unwraps to
// the problem, a *crm.ValidationError (so errors.Is(err, crm.ErrInvalid)
// holds) whose paths name the columns by header (or field).
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

// Reader reads customers from CSV, one row at a time. It is not safe for
// concurrent use.
type Reader struct {
	rows *csvio.Reader[field, *customer.Customer, *RowError]
	m    Mapping
}

// NewReader returns a reader of r for tenant. ids makes the IDs of rows
// without an id column (nil: crm.UUIDv7); ch is the change every customer
// is created by (its At must be set). With m.Header set, the header row is
// read here: a mapped header the file lacks is an error.
func NewReader(r io.Reader, tenant crm.TenantID, m Mapping, ids crm.IDGenerator, ch customer.Change) (*Reader, error) {
	rd := &Reader{m: m}
	rows, err := csvio.NewReader(&format, r, m.layout(), m.Validate(), csvio.Origin{Tenant: tenant, IDs: ids, Change: ch}, rd.build)
	if err != nil {
		return nil, err
	}
	rd.rows = rows
	return rd, nil
}

// Next returns the next row's customer, ready to store at version 0. A row
// that cannot become one returns a *RowError, and the next call goes on
// with the following row; the end of the file returns io.EOF. Blank rows
// are skipped. A row longer than 16 MiB as the file holds it (most often a quote
// left open, which would swallow the rest of the file) ends the read with
// an error wrapping crm.ErrInvalid that names the byte where the row
// starts; nothing after it is read, so the reader never holds more than
// about that much of the file.
func (r *Reader) Next() (*customer.Customer, error) {
	return r.rows.Next()
}

// row collects the cells of one row by field.
type row struct {
	v            crm.Validator
	in           customer.NewInput
	addr         customer.Address
	tags         []string
	notes        string
	attrs, prefs [][2]string
	dates        []struct {
		key  string
		date customer.Date
		path string
	}
}

// build turns the cells of one row into a customer.
func (r *Reader) build(rw csvio.Row[field]) (*customer.Customer, error) {
	var x row
	x.in = customer.NewInput{Tenant: rw.Origin().Tenant, Kind: r.m.Defaults.Kind, Roles: r.m.Defaults.Roles,
		Owner: r.m.Defaults.Owner, TimeZone: r.m.Defaults.TimeZone}
	if x.in.Kind == 0 {
		x.in.Kind = customer.Person
	}
	rolesSet := false
	for col, cell := range rw.Cells(&x.v) {
		r.apply(&x, col, cell, &rolesSet)
	}
	if err := x.v.Err("customercsv.Row"); err != nil {
		return nil, err
	}
	var err error
	if x.in.ID, err = rw.ID(x.in.ID); err != nil {
		return nil, err
	}
	if len(x.addr.Lines) > 0 || x.addr.Locality != "" || x.addr.PostalCode != "" || x.addr.AdministrativeArea != "" {
		x.in.Addresses = append(x.in.Addresses, x.addr)
	}
	c, err := customer.New(x.in, rw.Origin().Change)
	if err != nil {
		return nil, err
	}
	for _, t := range x.tags {
		x.v.Merge("tags", c.AddTag(t))
	}
	if x.notes != "" {
		x.v.Merge("notes", c.SetNotes(x.notes))
	}
	for _, kv := range x.attrs {
		x.v.Merge("attr."+kv[0], c.SetAttribute(kv[0], kv[1]))
	}
	for _, kv := range x.prefs {
		x.v.Merge("pref."+kv[0], c.SetPreference(kv[0], kv[1]))
	}
	for _, d := range x.dates {
		x.v.Merge(d.path, c.SetDate(d.key, d.date))
	}
	if err := x.v.Err("customercsv.Row"); err != nil {
		return nil, err
	}
	return c, nil
}

// apply reads one cell into x.
func (r *Reader) apply(x *row, col csvio.Mapped[field], cell string, rolesSet *bool) {
	v := &x.v
	switch col.Field.kind {
	case "id":
		id, err := crm.ParseID(cell)
		if v.Check(err == nil, col.Label, "not an ID") {
			x.in.ID = id
		}
	case "name":
		x.in.Name = cell
	case "kind":
		k, err := customer.ParseKind(cell)
		if v.Check(err == nil, col.Label, "unknown kind") {
			x.in.Kind = k
		}
	case "roles":
		if !*rolesSet {
			x.in.Roles, *rolesSet = nil, true
		}
		for _, s := range r.rows.Split(cell) {
			role, err := customer.ParseRole(s)
			if v.Check(err == nil, col.Label, fmt.Sprintf("unknown role %q", s)) {
				x.in.Roles = append(x.in.Roles, role)
			}
		}
	case "owner":
		x.in.Owner = crm.UserID(cell)
	case "email":
		for _, s := range r.rows.Split(cell) {
			e, err := customer.ParseEmail(s)
			if err != nil {
				v.Merge(col.Label, err)
				continue
			}
			x.in.Emails = append(x.in.Emails, e)
		}
	case "phone":
		for _, s := range csvio.JoinExtensions(r.rows.Split(cell)) {
			p, err := customer.ParsePhone(s, r.m.DefaultRegion)
			if err != nil {
				v.Merge(col.Label, err)
				continue
			}
			x.in.Phones = append(x.in.Phones, p)
		}
	case "time_zone":
		x.in.TimeZone = cell
	case "stage":
		s, err := customer.ParseStage(cell)
		if v.Check(err == nil, col.Label, "unknown stage") {
			x.in.Stage = s
		}
	case "loyalty":
		l, err := customer.ParseLoyalty(cell)
		if v.Check(err == nil, col.Label, "unknown loyalty rung") {
			x.in.Loyalty = l
		}
	case "lifecycle":
		l, err := customer.ParseLifecycle(cell)
		if v.Check(err == nil, col.Label, "unknown lifecycle status") {
			x.in.Lifecycle = l
		}
	case "tags":
		x.tags = append(x.tags, r.rows.Split(cell)...)
	case "notes":
		x.notes = cell
	case "address":
		x.addr.Lines = append(x.addr.Lines, cell)
	case "address.locality":
		x.addr.Locality = cell
	case "address.postal_code":
		x.addr.PostalCode = cell
	case "address.area":
		x.addr.AdministrativeArea = cell
	case "attr":
		x.attrs = append(x.attrs, [2]string{col.Field.key, cell})
	case "pref":
		x.prefs = append(x.prefs, [2]string{col.Field.key, cell})
	case "date":
		d, err := customer.ParseDate(cell)
		if err != nil {
			v.Merge(col.Label, err)
			return
		}
		x.dates = append(x.dates, struct {
			key  string
			date customer.Date
			path string
		}{col.Field.key, d, col.Label})
	}
}
