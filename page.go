package crm

import "fmt"

// Paging limits.
const (
	// DefaultPageLimit is the page size used when a [PageRequest] has Limit 0.
	DefaultPageLimit = 50
	// MaxPageLimit is the largest page size a store returns.
	MaxPageLimit = 1000
	// MaxCursorLen bounds the length of a cursor string.
	MaxCursorLen = 512
)

// PageRequest asks for one page of a list. The zero value asks for the first
// page of [DefaultPageLimit] items.
type PageRequest struct {
	// Cursor is the Next value of the previous page, empty for the first.
	// Cursors are opaque; a cursor from one list must not be used with
	// another.
	Cursor string `json:"cursor,omitempty"`
	// Limit is the page size: 0 means DefaultPageLimit; values above
	// MaxPageLimit are reduced to it; negative values are invalid.
	Limit int `json:"limit,omitempty"`
}

// Normalize validates p and returns it with the default and maximum limit
// applied.
func (p PageRequest) Normalize() (PageRequest, error) {
	var v Validator
	v.Check(p.Limit >= 0, "limit", "must not be negative")
	v.Check(len(p.Cursor) <= MaxCursorLen, "cursor", fmt.Sprintf("longer than %d bytes", MaxCursorLen))
	if err := v.Err("crm.PageRequest"); err != nil {
		return p, err
	}
	switch {
	case p.Limit == 0:
		p.Limit = DefaultPageLimit
	case p.Limit > MaxPageLimit:
		p.Limit = MaxPageLimit
	}
	return p, nil
}

// Page is one page of a list.
type Page[T any] struct {
	// Items holds at most the requested number of items, in the list's
	// documented order.
	Items []T `json:"items"`
	// Next is the cursor of the following page; empty when this is the last.
	Next string `json:"next,omitempty"`
}
