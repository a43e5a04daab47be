// Package guard holds what the checking layers of the domain packages
// (customer.Guard, complaint.Guard, opportunity.Guard, lead.Guard) share,
// so that every port refuses a list call, and reports a store that hands
// back another record, in the same words.
package guard

import (
	"context"
	"fmt"

	"github.com/crmkit/crm"
)

// Scope checks the context and tenant of a list call and normalises its
// page: a cancelled context wraps ctx.Err(); a bad tenant or page is a
// *crm.ValidationError for op.
func Scope(ctx context.Context, op string, tenant crm.TenantID, page crm.PageRequest) (crm.PageRequest, error) {
	if err := ctx.Err(); err != nil {
		return page, fmt.Errorf("%s: %w", op, err)
	}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	p, err := page.Normalize()
	v.Merge("page", err)
	return p, v.Err(op)
}

// Corrupt is the error of a store that handed back another record than the
// one of tenant and id that was asked for; it wraps crm.ErrCorrupt.
func Corrupt(op string, tenant crm.TenantID, id crm.ID) error {
	return fmt.Errorf("%s: the store returned another record than %s of tenant %q: %w", op, id, tenant, crm.ErrCorrupt)
}
