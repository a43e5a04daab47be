package complaint

import (
	"slices"

	"github.com/crmkit/crm/internal/hook"
)

// The store-only operations on complaints and risks, reached by stores
// through internal/hook and by nobody else.
func init() {
	hook.Register(hook.Entity[*Complaint, Record, AuditEntry]{
		Saved:   (*Complaint).saved,
		Adopt:   adoptRecord,
		Pending: func(c *Complaint) []AuditEntry { return slices.Clone(c.pending) },
	})
	hook.Register(hook.Entity[*Risk, RiskRecord, hook.None]{
		Saved:   func(r *Risk, version int64) { r.version = version },
		Adopt:   adoptRiskRecord,
		Pending: func(*Risk) []hook.None { return nil },
	})
}
