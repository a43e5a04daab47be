package customercsv

import (
	"context"
	"io"
	"strings"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/csvio"
)

// Lister lists customers; customer.Store and customer.Service have it.
type Lister interface {
	List(ctx context.Context, tenant crm.TenantID, q customer.Query, page crm.PageRequest) (crm.Page[*customer.Customer], error)
}

// Export writes the customers of tenant that q matches to w as CSV, in the
// columns of m (a header row first when m.Header is set), in the store's
// list order, fetching a page of crm.MaxPageLimit at a time. It returns
// how many customers it wrote. What Export writes, Import reads back with
// the same mapping.
func Export(ctx context.Context, w io.Writer, src Lister, tenant crm.TenantID, q customer.Query, m Mapping) (int, error) {
	return csvio.Export(ctx, &format, w, src, tenant, q, m.layout(), m.Validate(), cell)
}

// cell formats one field of c.
func cell(c *customer.Customer, f field, sep string) string {
	join := func(xs []string) string { return strings.Join(xs, sep) }
	var addr customer.Address
	if as := c.Addresses(); len(as) > 0 {
		addr = as[0]
	}
	switch f.kind {
	case "id":
		return c.ID().String()
	case "name":
		return c.Name()
	case "kind":
		return c.Kind().String()
	case "roles":
		var xs []string
		for _, r := range c.Roles() {
			xs = append(xs, r.String())
		}
		return join(xs)
	case "owner":
		return string(c.Owner())
	case "email":
		var xs []string
		for _, e := range c.Emails() {
			xs = append(xs, e.String())
		}
		return join(xs)
	case "phone":
		var xs []string
		for _, p := range c.Phones() {
			xs = append(xs, p.String())
		}
		return join(xs)
	case "time_zone":
		return c.TimeZone()
	case "stage":
		return c.Stage().String()
	case "loyalty":
		return c.Loyalty().String()
	case "lifecycle":
		return c.Lifecycle().String()
	case "tags":
		return join(c.Tags())
	case "notes":
		return c.Notes()
	case "address": // the street lines in one cell; Import reads it back as one line
		return strings.Join(addr.Lines, ", ")
	case "address.locality":
		return addr.Locality
	case "address.postal_code":
		return addr.PostalCode
	case "address.area":
		return addr.AdministrativeArea
	case "attr":
		return c.Attributes()[f.key]
	case "pref":
		return c.Preferences()[f.key]
	case "date":
		if d, ok := c.Date(f.key); ok {
			return d.String()
		}
	}
	return ""
}
