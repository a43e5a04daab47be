package opportunity

import (
	"slices"

	"github.com/crmkit/crm"

	"github.com/crmkit/crm/internal/hook"
)

// The store-only operations on opportunities, reached by stores through
// internal/hook and by nobody else.
func init() {
	hook.Register(hook.Entity[*Opportunity, Record, StageChange]{
		Saved:       (*Opportunity).saved,
		Adopt:       adoptRecord,
		Pending:     func(o *Opportunity) []StageChange { return slices.Clone(o.pending) },
		ShareTenant: (*Opportunity).shareTenant,
	})
}

// shareTenant is the ShareTenant hook: o takes tenant, an equal string
// the store keeps once, in place of its own copy.
func (o *Opportunity) shareTenant(tenant crm.TenantID) {
	if o.tenant == tenant {
		o.tenant = tenant
	}
}
