package customer

import (
	"slices"

	"github.com/crmkit/crm"

	"github.com/crmkit/crm/internal/hook"
)

// The store-only operations on customers, reached by stores through
// internal/hook and by nobody else.
func init() {
	hook.Register(hook.Entity[*Customer, Record, HistoryEntry]{
		Saved:       (*Customer).saved,
		Adopt:       adoptRecord,
		Pending:     func(c *Customer) []HistoryEntry { return slices.Clone(c.pending) },
		ShareTenant: (*Customer).shareTenant,
	})
}

// shareTenant is the ShareTenant hook: c takes tenant, an equal string
// the store keeps once, in place of its own copy.
func (c *Customer) shareTenant(tenant crm.TenantID) {
	if c.tenant == tenant {
		c.tenant = tenant
	}
}
