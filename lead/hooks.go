package lead

import (
	"slices"

	"github.com/crmkit/crm"

	"github.com/crmkit/crm/internal/hook"
)

// The store-only operations on leads and campaigns, reached by stores
// through internal/hook and by nobody else.
func init() {
	hook.Register(hook.Entity[*Lead, Record, HistoryEntry]{
		Saved:       (*Lead).saved,
		Adopt:       adoptRecord,
		Pending:     func(l *Lead) []HistoryEntry { return slices.Clone(l.pending) },
		ShareTenant: (*Lead).shareTenant,
	})
	hook.Register(hook.Entity[*Campaign, CampaignRecord, hook.None]{
		Saved:   (*Campaign).saved,
		Adopt:   adoptCampaignRecord,
		Pending: func(*Campaign) []hook.None { return nil },
	})
}

// shareTenant is the ShareTenant hook: l takes tenant, an equal string
// the store keeps once, in place of its own copy.
func (l *Lead) shareTenant(tenant crm.TenantID) {
	if l.tenant == tenant {
		l.tenant = tenant
	}
}
