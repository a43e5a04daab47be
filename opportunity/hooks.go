package opportunity

import (
	"slices"

	"github.com/crmkit/crm/internal/hook"
)

// The store-only operations on opportunities, reached by stores through
// internal/hook and by nobody else.
func init() {
	hook.Register(hook.Entity[*Opportunity, Record, StageChange]{
		Saved:   (*Opportunity).saved,
		Adopt:   adoptRecord,
		Pending: func(o *Opportunity) []StageChange { return slices.Clone(o.pending) },
	})
}
