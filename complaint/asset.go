package complaint

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/crmkit/crm"
)

// Limits on assets.
const (
	MaxAssetLevels   = 8   // levels in one asset path
	MaxAssetFieldLen = 128 // bytes in a level's kind or ID
)

// AssetLevel is one level of an asset path, e.g. {Kind: "building", ID: "B3"}.
type AssetLevel struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// Asset is the thing a complaint concerns, as a path from the broadest
// level down: [{project P1} {building B3} {unit 1502}], or
// [{product X9} {serial SN42}]. Kinds are host-defined. Complaints about
// one building share the asset prefix [{project P1} {building B3}], which is
// how hotspots are grouped.
type Asset []AssetLevel

// Validate returns an error wrapping crm.ErrInvalid when a is malformed:
// more than MaxAssetLevels levels, or an empty, too long or non-UTF-8 kind
// or ID. The empty asset is valid (no asset concerned).
func (a Asset) Validate() error {
	var v crm.Validator
	a.validate(&v, "asset")
	return v.Err("complaint.Asset")
}

func (a Asset) validate(v *crm.Validator, prefix string) {
	if !v.Check(len(a) <= MaxAssetLevels, prefix, "too many levels") {
		return
	}
	for i, l := range a {
		for _, f := range [2][2]string{{"kind", l.Kind}, {"id", l.ID}} {
			s := f[1]
			v.Check(strings.TrimSpace(s) != "" && len(s) <= MaxAssetFieldLen && utf8.ValidString(s),
				fmt.Sprintf("%s[%d].%s", prefix, i, f[0]), "must be 1 to 128 bytes of UTF-8")
		}
	}
}

// Parent returns the asset one level up (nil for a one-level or empty asset).
func (a Asset) Parent() Asset {
	if len(a) <= 1 {
		return nil
	}
	return Asset(append([]AssetLevel(nil), a[:len(a)-1]...))
}

// HasPrefix reports whether a lies at or below p: p's levels are a's first
// levels. Every asset has the empty prefix.
func (a Asset) HasPrefix(p Asset) bool {
	if len(p) > len(a) {
		return false
	}
	for i := range p {
		if a[i] != p[i] {
			return false
		}
	}
	return true
}

// String returns "kind:id/kind:id", e.g. "project:P1/building:B3".
func (a Asset) String() string {
	var b strings.Builder
	for i, l := range a {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(l.Kind)
		b.WriteByte(':')
		b.WriteString(l.ID)
	}
	return b.String()
}
