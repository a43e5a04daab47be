package leadcsv

import (
	"fmt"
	"io"
	"strconv"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/csvio"
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
	rows *csvio.Reader[field, *lead.Lead, *RowError]
	m    Mapping
}

// NewReader returns a reader of r for tenant. ids makes the IDs of rows
// without an id column (nil: crm.UUIDv7); ch is the change every lead is
// captured by (its At must be set: the capture time). With m.Header set
// the header row is read here, and a mapped header the file lacks is an
// error.
func NewReader(r io.Reader, tenant crm.TenantID, m Mapping, ids crm.IDGenerator, ch lead.Change) (*Reader, error) {
	rd := &Reader{m: m}
	rows, err := csvio.NewReader(&format, r, m.layout(), m.Validate(), csvio.Origin{Tenant: tenant, IDs: ids, Change: ch}, rd.build)
	if err != nil {
		return nil, err
	}
	rd.rows = rows
	return rd, nil
}

// Next returns the next row's lead, ready to store at version 0. A row
// that cannot become one returns a *RowError, and the next call goes on
// with the following row; the end of the file returns io.EOF. Blank rows
// are skipped. A row longer than 16 MiB as the file holds it (most often a quote
// left open, which would swallow the rest of the file) ends the read with
// an error wrapping crm.ErrInvalid that names the byte where the row
// starts; nothing after it is read, so the reader never holds more than
// about that much of the file.
func (r *Reader) Next() (*lead.Lead, error) {
	return r.rows.Next()
}

// build turns one row into a lead.
func (r *Reader) build(rw csvio.Row[field]) (*lead.Lead, error) {
	var v crm.Validator
	in := lead.NewInput{Tenant: rw.Origin().Tenant, Team: r.m.Defaults.Team, Channel: r.m.Defaults.Channel,
		Source: r.m.Defaults.Source, DefaultRegion: r.m.DefaultRegion}
	var addr customer.Address
	for col, cell := range rw.Cells(&v) {
		r.apply(&v, &in, &addr, col, cell)
	}
	if err := v.Err("leadcsv.Row"); err != nil {
		return nil, err
	}
	if len(addr.Lines) > 0 || addr.Locality != "" || addr.PostalCode != "" || addr.AdministrativeArea != "" || addr.Country != "" {
		in.Address = &addr
	}
	var err error
	if in.ID, err = rw.ID(in.ID); err != nil {
		return nil, err
	}
	return lead.New(in, rw.Origin().Change)
}

// apply reads one cell into in and addr.
func (r *Reader) apply(v *crm.Validator, in *lead.NewInput, addr *customer.Address, col csvio.Mapped[field], cell string) {
	switch col.Field.kind {
	case "id":
		id, err := crm.ParseID(cell)
		if v.Check(err == nil && !id.IsZero(), col.Label, "not an ID") {
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
		if v.Check(err == nil, col.Label, "unknown kind") {
			in.Kind = k
		}
	case "company_size":
		n, err := strconv.Atoi(cell)
		if v.Check(err == nil && n >= 0, col.Label, "not a number of employees") {
			in.CompanySize = n
		}
	case "language":
		in.Language = cell
	case "topics":
		in.Topics = append(in.Topics, r.rows.Split(cell)...)
	case "email":
		in.Emails = append(in.Emails, r.rows.Split(cell)...)
	case "phone":
		in.Phones = append(in.Phones, csvio.JoinExtensions(r.rows.Split(cell))...)
	case "team":
		in.Team = cell
	case "channel":
		c, err := customer.ParseChannel(cell)
		if v.Check(err == nil, col.Label, "unknown channel") {
			in.Channel = c
		}
	case "source":
		k, err := lead.ParseSourceKind(cell)
		if v.Check(err == nil, col.Label, "unknown source") {
			in.Source.Kind = k
		}
	case "source.detail":
		in.Source.Detail = cell
	case "source.campaign", "source.referrer":
		id, err := crm.ParseID(cell)
		if !v.Check(err == nil && !id.IsZero(), col.Label, "not an ID") {
			return
		}
		if col.Field.kind == "source.campaign" {
			in.Source.Campaign = id
		} else {
			in.Source.Referrer = id
		}
	case "key_prospect":
		b, err := strconv.ParseBool(cell)
		if v.Check(err == nil, col.Label, "not true or false") {
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
		in.Attributes[col.Field.key] = cell
	}
}
