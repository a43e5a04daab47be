package customer

// Store-only operations, exported to this package's external tests (the
// stores reach them through internal/hook).
var (
	SavedForTest       = (*Customer).saved
	TouchForTest       = (*Customer).touch
	AdoptRecordForTest = adoptRecord
)
