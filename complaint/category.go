package complaint

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/crmkit/crm"
)

// Limits on category trees.
const (
	MaxCategoryDepth   = 6    // levels from a root to a leaf, the root counting as 1
	MaxCategories      = 1000 // categories in one tree
	MaxCategoryCodeLen = 64   // bytes in a category code
	MaxCategoryNameLen = 200  // runes in a category name
)

// Category is one node of a host-defined complaint category tree, e.g.
// "leak" under "product_quality".
type Category struct {
	// Code identifies the category; unique in its tree. Required.
	Code string `json:"code"`
	// Parent is the parent's code; "" for a root.
	Parent string `json:"parent,omitempty"`
	// Name is a display label, optional.
	Name string `json:"name,omitempty"`
}

// CategoryTree is a validated tree of categories: unique codes, known
// parents, no cycles, depth at most [MaxCategoryDepth]. It is host data,
// immutable after construction and safe for concurrent use. The zero value
// is an empty tree.
type CategoryTree struct {
	cats   []Category // in input order
	byCode map[string]int
}

// NewCategoryTree validates cats and returns the tree.
func NewCategoryTree(cats []Category) (*CategoryTree, error) {
	var v crm.Validator
	v.Check(len(cats) <= MaxCategories, "categories", "too many")
	if err := v.Err("complaint.NewCategoryTree"); err != nil {
		return nil, err
	}
	t := &CategoryTree{cats: slices.Clone(cats), byCode: make(map[string]int, len(cats))}
	for i, c := range cats {
		p := fmt.Sprintf("categories[%d]", i)
		checkCode(&v, p+".code", c.Code)
		if c.Parent != "" {
			checkCode(&v, p+".parent", c.Parent)
		}
		v.Check(utf8.ValidString(c.Name) && utf8.RuneCountInString(c.Name) <= MaxCategoryNameLen, p+".name", "not valid UTF-8 or too long")
		if _, dup := t.byCode[c.Code]; dup {
			v.Addf(p+".code", "duplicate code %q", c.Code)
			continue
		}
		t.byCode[c.Code] = i
	}
	for i, c := range cats {
		if c.Parent == "" {
			continue
		}
		if _, ok := t.byCode[c.Parent]; !ok {
			v.Addf(fmt.Sprintf("categories[%d].parent", i), "unknown parent %q", c.Parent)
		}
	}
	if err := v.Err("complaint.NewCategoryTree"); err != nil {
		return nil, err
	}
	for i, c := range cats {
		depth := 1
		for cur := c; cur.Parent != ""; cur = t.cats[t.byCode[cur.Parent]] {
			depth++
			if depth > MaxCategoryDepth {
				// A cycle also ends here: every walk is cut after
				// MaxCategoryDepth steps.
				v.Addf(fmt.Sprintf("categories[%d]", i), "deeper than %d levels or part of a cycle", MaxCategoryDepth)
				break
			}
		}
	}
	if err := v.Err("complaint.NewCategoryTree"); err != nil {
		return nil, err
	}
	return t, nil
}

func checkCode(v *crm.Validator, path, code string) {
	switch {
	case strings.TrimSpace(code) == "":
		v.Addf(path, "must not be empty")
	case len(code) > MaxCategoryCodeLen:
		v.Addf(path, "longer than %d bytes", MaxCategoryCodeLen)
	case !utf8.ValidString(code) || strings.TrimSpace(code) != code:
		v.Addf(path, "not valid UTF-8 or has surrounding spaces")
	}
}

// Has reports whether code is in the tree.
func (t *CategoryTree) Has(code string) bool {
	if t == nil {
		return false
	}
	_, ok := t.byCode[code]
	return ok
}

// Categories returns the tree's categories in input order.
func (t *CategoryTree) Categories() []Category {
	if t == nil {
		return nil
	}
	return slices.Clone(t.cats)
}

// Path returns the codes from the root down to code, e.g.
// ["product_quality", "leak", "window"]. An unknown code is an error
// wrapping crm.ErrInvalid.
func (t *CategoryTree) Path(code string) ([]string, error) {
	if !t.Has(code) {
		return nil, crm.Invalid("complaint.CategoryTree.Path", "code", fmt.Sprintf("unknown category %.64q", code))
	}
	var path []string
	for c := t.cats[t.byCode[code]]; ; c = t.cats[t.byCode[c.Parent]] {
		path = append(path, c.Code)
		if c.Parent == "" {
			break
		}
	}
	slices.Reverse(path)
	return path, nil
}

// MarshalJSON encodes the tree as a JSON array of categories.
func (t *CategoryTree) MarshalJSON() ([]byte, error) {
	cats := t.Categories()
	if cats == nil {
		cats = []Category{}
	}
	return json.Marshal(cats)
}

// UnmarshalJSON decodes a JSON array of categories and validates it like
// [NewCategoryTree].
func (t *CategoryTree) UnmarshalJSON(b []byte) error {
	var cats []Category
	if err := json.Unmarshal(b, &cats); err != nil {
		return fmt.Errorf("complaint: decode category tree: %w", crm.Invalid("complaint.CategoryTree", "", err.Error()))
	}
	nt, err := NewCategoryTree(cats)
	if err != nil {
		return fmt.Errorf("complaint: decode category tree: %w", err)
	}
	*t = *nt
	return nil
}
