package complaint

// Store-only operations, exported to this package's external tests (the
// stores reach them through internal/hook).
var (
	SavedForTest     = (*Complaint).saved
	RiskSavedForTest = func(r *Risk, version int64) { r.version = version }
)

// ClearPendingForTest drops the pending audit entries and events, as a save
// at the same version does.
func ClearPendingForTest(c *Complaint) { c.saved(c.version) }
