package lead

import (
	"slices"

	"github.com/crmkit/crm/internal/hook"
)

// The store-only operations on leads and campaigns, reached by stores
// through internal/hook and by nobody else.
func init() {
	hook.Register(hook.Entity[*Lead, Record, HistoryEntry]{
		Saved:   (*Lead).saved,
		Adopt:   adoptRecord,
		Pending: func(l *Lead) []HistoryEntry { return slices.Clone(l.pending) },
	})
	hook.Register(hook.Entity[*Campaign, CampaignRecord, hook.None]{
		Saved:   (*Campaign).saved,
		Adopt:   adoptCampaignRecord,
		Pending: func(*Campaign) []hook.None { return nil },
	})
}
