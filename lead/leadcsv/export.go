package leadcsv

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/csvio"
	"github.com/crmkit/crm/lead"
)

// Lister lists leads; lead.Store and lead.Service have it.
type Lister interface {
	List(ctx context.Context, tenant crm.TenantID, q lead.Query, page crm.PageRequest) (crm.Page[*lead.Lead], error)
}

// Export writes the leads of tenant that q matches to w as CSV, in the
// columns of m (a header row first when m.Header is set), in the store's
// list order, a page of crm.MaxPageLimit at a time. It returns how many
// leads it wrote. What Export writes, Import reads back with the same
// mapping.
func Export(ctx context.Context, w io.Writer, src Lister, tenant crm.TenantID, q lead.Query, m Mapping) (int, error) {
	return csvio.Export(ctx, &format, w, src, tenant, q, m.layout(), m.Validate(), cell)
}

// cell formats one field of l.
func cell(l *lead.Lead, f field, sep string) string {
	contacts := func(kind lead.ContactKind) string {
		var xs []string
		for _, c := range l.Contacts() {
			if c.Kind != kind {
				continue
			}
			switch {
			case c.Problem != "":
				xs = append(xs, c.Raw)
			case kind == lead.ContactEmail:
				xs = append(xs, c.Email.String())
			default:
				xs = append(xs, c.Phone.String())
			}
		}
		return strings.Join(xs, sep)
	}
	addr, _ := l.Address()
	switch f.kind {
	case "id":
		return l.ID().String()
	case "name":
		return l.Name()
	case "title":
		return l.Title()
	case "company":
		return l.Company()
	case "industry":
		return l.Industry()
	case "kind":
		return l.Kind().String()
	case "company_size":
		if l.CompanySize() == 0 {
			return ""
		}
		return strconv.Itoa(l.CompanySize())
	case "language":
		return l.Language()
	case "topics":
		return strings.Join(l.Topics(), sep)
	case "email":
		return contacts(lead.ContactEmail)
	case "phone":
		return contacts(lead.ContactPhone)
	case "team":
		return l.Team()
	case "channel":
		return l.Channel().String()
	case "source":
		return l.Source().Kind.String()
	case "source.detail":
		return l.Source().Detail
	case "source.campaign":
		if c := l.Source().Campaign; !c.IsZero() {
			return c.String()
		}
	case "source.referrer":
		if r := l.Source().Referrer; !r.IsZero() {
			return r.String()
		}
	case "key_prospect":
		return strconv.FormatBool(l.KeyProspect())
	case "address": // the street lines in one cell; Import reads it back as one line
		return strings.Join(addr.Lines, ", ")
	case "address.locality":
		return addr.Locality
	case "address.postal_code":
		return addr.PostalCode
	case "address.area":
		return addr.AdministrativeArea
	case "address.country":
		return addr.Country
	case "attr":
		return l.Attributes()[f.key]
	}
	return ""
}
