package customer

import (
	"context"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
)

// DueMoveCare returns, for one page of the customers matching q, the care
// actions of plan's entered triggers due in [from, to) (see the function
// [DueMoveCare], which gives the rules, cal included).
//
// It is paged by customer: page.Limit customers (the list's default when
// zero, at most crm.MaxPageLimit) are read per call, and the result's Next
// is the cursor of the customer list, to pass back for the following page
// (empty after the last). Items holds the actions of that page's customers,
// sorted by [CompareCareActions]; a page may hold no action and still have
// a Next. The pages of one pass, taken with the same arguments, give each
// action of a customer once (a customer created while the pass runs may be
// missed, as by any list).
//
// Cost per call: one customer list of page.Limit, then, for each customer
// that is neither a tombstone nor erased, every page of its history (a
// history of n entries costs ceil(n/crm.MaxPageLimit) reads). The calls
// run outside any transaction: a customer changed between the list and
// the read of its history is judged on the history read.
//
// An invalid plan, range or query returns an error wrapping crm.ErrInvalid
// before anything is read.
func (s *Service) DueMoveCare(ctx context.Context, tenant crm.TenantID, plan CarePlan, cal *calendar.Calendar, q Query, from, to time.Time, page crm.PageRequest) (crm.Page[CareAction], error) {
	const op = "customer.Service.DueMoveCare"
	if _, err := dueCare(op, plan, nil, from, to, false); err != nil {
		return crm.Page[CareAction]{}, err
	}
	customers, err := s.List(ctx, tenant, q, page)
	if err != nil {
		return crm.Page[CareAction]{}, err
	}
	var out []CareAction
	for _, c := range customers.Items {
		if c.IsTombstone() || c.IsErased() {
			continue
		}
		history, err := collect(ctx, func(ctx context.Context, p crm.PageRequest) (crm.Page[HistoryEntry], error) {
			return s.History(ctx, tenant, c.id, p)
		})
		if err != nil {
			return crm.Page[CareAction]{}, err
		}
		due, err := DueMoveCare(plan, cal, c, history, from, to)
		if err != nil {
			return crm.Page[CareAction]{}, fmt.Errorf("customer: due move care: %w", err)
		}
		out = append(out, due...)
	}
	SortCareActions(out)
	return crm.Page[CareAction]{Items: out, Next: customers.Next}, nil
}
