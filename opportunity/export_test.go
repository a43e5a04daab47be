package opportunity

// Store-only operations, exported to this package's external tests (the
// stores reach them through internal/hook).
var (
	SavedForTest       = (*Opportunity).saved
	CheckUpdateForTest = checkUpdate
	CheckStoredForTest = checkStored
	CheckRefForTest    = checkRef
)
