package customer

import (
	"slices"

	"github.com/crmkit/crm/internal/hook"
)

// The store-only operations on customers, reached by stores through
// internal/hook and by nobody else.
func init() {
	hook.Register(hook.Entity[*Customer, Record, HistoryEntry]{
		Saved:   (*Customer).saved,
		Adopt:   adoptRecord,
		Pending: func(c *Customer) []HistoryEntry { return slices.Clone(c.pending) },
	})
}
