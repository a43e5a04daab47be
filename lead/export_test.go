package lead

// Store-only operations, exported to this package's external tests (the
// stores reach them through internal/hook).
var (
	SavedForTest         = (*Lead).saved
	CampaignSavedForTest = (*Campaign).saved
)

// ClearPendingForTest drops the pending history entries and events, as a
// save at the same version does.
func ClearPendingForTest(l *Lead) { l.saved(l.version) }
