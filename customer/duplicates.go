package customer

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/crmkit/crm"
)

// Kinds of evidence a MatchReason gives.
const (
	ReasonEmail   = "email"   // a normalised e-mail address both hold
	ReasonPhone   = "phone"   // a phone number (E.164) both hold
	ReasonName    = "name"    // similar names
	ReasonAddress = "address" // a postal address both hold (normalised)
)

// DefaultMaxBlock is the MaxBlock used when DuplicateRules.MaxBlock is 0.
const DefaultMaxBlock = 200

// MatchReason is one piece of evidence that two customers are the same.
type MatchReason struct {
	// Kind is ReasonEmail, ReasonPhone, ReasonName or ReasonAddress.
	Kind string
	// Detail says what matched: the shared e-mail addresses or phone
	// numbers, the two names and their similarity, the shared address.
	Detail string
	// Weight is what the evidence adds to the score: the rule's weight for
	// the kind, times the name similarity for names.
	Weight float64
}

// DuplicateCandidate is a pair of customers that are likely one real
// customer, with the evidence.
type DuplicateCandidate struct {
	// A and B are the two customers; FindDuplicates puts its target in A,
	// FindDuplicatesIn the lower ID.
	A, B crm.ID
	// Score is the combined evidence, from 0 to 1.
	Score float64
	// Reasons lists the evidence in the order email, phone, name, address.
	Reasons []MatchReason
}

// DuplicateRules tune duplicate detection. The zero value means
// DefaultDuplicateRules().
//
// Each kind of evidence contributes its weight w (in [0, 1]; 0 ignores the
// kind): a shared normalised e-mail address, phone number or postal address
// contributes its weight once however many are shared; similar names
// contribute NameWeight × NameSimilarity when the similarity reaches
// NameThreshold. Names of persons are compared in their [NormalizeName]
// form, names of organisations in their [NormalizeOrgName] form. The
// contributions w₁…wₙ combine like independent evidence:
//
//	Score = 1 − (1 − w₁)(1 − w₂)…(1 − wₙ)
//
// so one strong piece is enough, more pieces raise the score towards 1 and
// it never exceeds 1. A pair is a candidate when Score ≥ MinScore.
type DuplicateRules struct {
	EmailWeight   float64 `json:"email_weight"`
	PhoneWeight   float64 `json:"phone_weight"`
	NameWeight    float64 `json:"name_weight"`
	AddressWeight float64 `json:"address_weight"`
	// NameThreshold is the least NameSimilarity that counts, in [0, 1].
	NameThreshold float64 `json:"name_threshold"`
	// MinScore is the least score of a candidate, in (0, 1].
	MinScore float64 `json:"min_score"`
	// MaxBlock bounds, in FindDuplicatesIn, how many customers may share a
	// key (an e-mail address, a phone number, an address, a name form) for
	// the key to pair them; a key shared more widely, such as a switchboard
	// number, is not used. 0 means DefaultMaxBlock.
	MaxBlock int `json:"max_block,omitempty"`
}

// DefaultDuplicateRules returns rules under which a shared e-mail address
// (0.85) or phone number (0.8) alone makes a candidate, while a similar name
// (0.5 × similarity, counted from 0.88) or a shared address (0.4) needs
// other evidence: name and address together reach at least 0.66, against a
// MinScore of 0.6.
func DefaultDuplicateRules() DuplicateRules {
	return DuplicateRules{
		EmailWeight: 0.85, PhoneWeight: 0.8, NameWeight: 0.5, AddressWeight: 0.4,
		NameThreshold: 0.88, MinScore: 0.6,
	}
}

// Validate returns a *crm.ValidationError when a weight or the threshold is
// outside [0, 1] or not a number, every weight is 0, MinScore is outside
// (0, 1] or MaxBlock is negative. The zero value is valid (it means the
// defaults).
func (r DuplicateRules) Validate() error {
	if r == (DuplicateRules{}) {
		return nil
	}
	var v crm.Validator
	unit := func(path string, x float64) {
		v.Check(x >= 0 && x <= 1, path, "must be between 0 and 1")
	}
	unit("email_weight", r.EmailWeight)
	unit("phone_weight", r.PhoneWeight)
	unit("name_weight", r.NameWeight)
	unit("address_weight", r.AddressWeight)
	unit("name_threshold", r.NameThreshold)
	v.Check(r.EmailWeight > 0 || r.PhoneWeight > 0 || r.NameWeight > 0 || r.AddressWeight > 0, "", "at least one weight must be above 0")
	v.Check(r.MinScore > 0 && r.MinScore <= 1, "min_score", "must be above 0 and at most 1")
	v.Check(r.MaxBlock >= 0, "max_block", "must not be negative")
	return v.Err("customer.DuplicateRules")
}

// effective returns r with defaults applied, and whether it is usable.
func (r DuplicateRules) effective() (DuplicateRules, bool) {
	if r == (DuplicateRules{}) {
		r = DefaultDuplicateRules()
	}
	if r.Validate() != nil {
		return r, false
	}
	if r.MaxBlock == 0 {
		r.MaxBlock = DefaultMaxBlock
	}
	return r, true
}

// scoreEpsilon absorbs rounding when a score is compared with MinScore, so
// that a MinScore equal to a weight is reached by that weight alone.
const scoreEpsilon = 1e-9

// dupProfile is a customer prepared for comparison: its keys normalised once.
type dupProfile struct {
	c      *Customer
	name   string   // NormalizeName or NormalizeOrgName form
	emails []string // normalised, distinct
	phones []string // E.164, distinct
	addrs  []string // Address.Normalized, distinct
	addrAt []int    // index in c.addresses of the first address with addrs[i]
}

// dupComparable reports whether c may be a duplicate candidate at all.
func dupComparable(c *Customer) bool {
	return c != nil && !c.IsTombstone() && !c.IsErased()
}

func newDupProfile(c *Customer) dupProfile {
	p := dupProfile{c: c}
	if c.kind == Organization {
		p.name = NormalizeOrgName(c.name)
	} else {
		p.name = NormalizeName(c.name)
	}
	for _, e := range c.emails {
		if k := e.Normalized(); k != "" && !slices.Contains(p.emails, k) {
			p.emails = append(p.emails, k)
		}
	}
	for _, ph := range c.phones {
		if k := ph.Normalized(); k != "" && !slices.Contains(p.phones, k) {
			p.phones = append(p.phones, k)
		}
	}
	for i, a := range c.addresses {
		if k := a.Normalized(); !slices.Contains(p.addrs, k) {
			p.addrs = append(p.addrs, k)
			p.addrAt = append(p.addrAt, i)
		}
	}
	return p
}

// sharedKeys returns the values of a also in b, in a's order, joined by ", ".
func sharedKeys(a, b []string) string {
	var out string
	for _, x := range a {
		if slices.Contains(b, x) {
			if out != "" {
				out += ", "
			}
			out += x
		}
	}
	return out
}

// score weighs the evidence that a and b are one customer. r must be
// effective.
func (r DuplicateRules) score(a, b *dupProfile) DuplicateCandidate {
	cand := DuplicateCandidate{A: a.c.id, B: b.c.id}
	keep := 1.0 // probability that no evidence is right
	add := func(kind, detail string, w float64) {
		cand.Reasons = append(cand.Reasons, MatchReason{Kind: kind, Detail: detail, Weight: w})
		keep *= 1 - w
	}
	if r.EmailWeight > 0 {
		if s := sharedKeys(a.emails, b.emails); s != "" {
			add(ReasonEmail, s, r.EmailWeight)
		}
	}
	if r.PhoneWeight > 0 {
		if s := sharedKeys(a.phones, b.phones); s != "" {
			add(ReasonPhone, s, r.PhoneWeight)
		}
	}
	if r.NameWeight > 0 && a.name != "" && b.name != "" {
		if sim := NameSimilarity(a.name, b.name); sim > 0 && sim >= r.NameThreshold {
			add(ReasonName, fmt.Sprintf("%q ~ %q: %.2f", a.c.name, b.c.name, sim), r.NameWeight*sim)
		}
	}
	if r.AddressWeight > 0 {
		for i, x := range a.addrs {
			if slices.Contains(b.addrs, x) {
				add(ReasonAddress, a.c.addresses[a.addrAt[i]].String(), r.AddressWeight)
				break
			}
		}
	}
	cand.Score = 1 - keep
	return cand
}

func (r DuplicateRules) candidate(c DuplicateCandidate) bool {
	return len(c.Reasons) > 0 && c.Score+scoreEpsilon >= r.MinScore
}

// ScorePair weighs the evidence that a and b are the same real customer and
// returns it with the reasons, even when it is too weak; ok reports whether
// the pair is a candidate (Score ≥ MinScore). A nil customer, a tombstone,
// an erased customer, two customers with the same ID or invalid rules give
// the zero candidate and false.
func ScorePair(a, b *Customer, r DuplicateRules) (DuplicateCandidate, bool) {
	r, valid := r.effective()
	if !valid || !dupComparable(a) || !dupComparable(b) || a.id == b.id {
		return DuplicateCandidate{}, false
	}
	pa, pb := newDupProfile(a), newDupProfile(b)
	c := r.score(&pa, &pb)
	return c, r.candidate(c)
}

// FindDuplicates returns the candidates among candidates that are likely
// the same real customer as target, with target in A, sorted by score
// (highest first) then by B. Candidates may repeat and may include target
// itself: each other customer is scored once. Nil customers, tombstones,
// erased customers and invalid rules give no candidates.
func FindDuplicates(target *Customer, candidates []*Customer, r DuplicateRules) []DuplicateCandidate {
	r, valid := r.effective()
	if !valid || !dupComparable(target) {
		return nil
	}
	pt := newDupProfile(target)
	seen := map[crm.ID]bool{target.id: true}
	var out []DuplicateCandidate
	for _, c := range candidates {
		if !dupComparable(c) || seen[c.id] {
			continue
		}
		seen[c.id] = true
		pc := newDupProfile(c)
		if cand := r.score(&pt, &pc); r.candidate(cand) {
			out = append(out, cand)
		}
	}
	slices.SortFunc(out, compareCandidates)
	return out
}

// compareCandidates orders candidates by score (highest first), then A,
// then B.
func compareCandidates(a, b DuplicateCandidate) int {
	if c := cmp.Compare(b.Score, a.Score); c != 0 {
		return c
	}
	if c := a.A.Compare(b.A); c != 0 {
		return c
	}
	return a.B.Compare(b.B)
}

// FindDuplicatesIn returns the likely duplicate pairs within one batch of
// customers (an import, a whole tenant), each pair once with the lower ID
// in A, sorted by score (highest first) then A then B. Nil customers,
// tombstones and erased customers are left out; a customer given twice is
// counted once; invalid rules give no candidates.
//
// It does not compare every pair. It blocks: customers are grouped by keys
// (each normalised e-mail address, phone number and postal address whose
// weight is above 0), and only customers sharing a key are scored. Every
// candidate the rules allow is still found, because a pair whose evidence
// includes a shared e-mail, phone or address shares that key. Only when a
// similar name alone can reach MinScore (NameWeight ≥ MinScore) are names
// used as keys too: the name with its words sorted, and each form of it
// with one character deleted (a deletion neighbourhood), which pairs names
// that differ by one typo, one missing or extra letter, a word order or a
// transposition; names further apart are then found only through other
// keys. A key shared by more than MaxBlock customers pairs none of them.
// The cost grows with the number of customers and the pairs that share a
// key, not with the square of the batch.
func FindDuplicatesIn(customers []*Customer, r DuplicateRules) []DuplicateCandidate {
	r, valid := r.effective()
	if !valid {
		return nil
	}
	profiles := make([]dupProfile, 0, len(customers))
	ids := make(map[crm.ID]bool, len(customers))
	for _, c := range customers {
		if !dupComparable(c) || ids[c.id] {
			continue
		}
		ids[c.id] = true
		profiles = append(profiles, newDupProfile(c))
	}
	byName := r.NameWeight > 0 && r.NameWeight+scoreEpsilon >= r.MinScore

	// Block: one entry per (key, customer), the key's hash in the high bits
	// and the customer's index in the low bits, sorted so that customers
	// sharing a key are neighbours (in index order).
	idxBits := uint(bits.Len(uint(len(profiles))))
	idxMask := uint64(1)<<idxBits - 1
	var entries []uint64
	add := func(h uint64, i int) { entries = append(entries, h<<idxBits|uint64(i)) }
	var runes []rune
	for i := range profiles {
		p := &profiles[i]
		if r.EmailWeight > 0 {
			for _, k := range p.emails {
				add(keyHash('e', k), i)
			}
		}
		if r.PhoneWeight > 0 {
			for _, k := range p.phones {
				add(keyHash('p', k), i)
			}
		}
		if r.AddressWeight > 0 {
			for _, k := range p.addrs {
				add(keyHash('a', k), i)
			}
		}
		if byName && p.name != "" {
			runes = nameBlockForm(runes[:0], p.name)
			add(runeHash(runes, -1), i)
			if len(runes) >= 3 {
				for j := range runes {
					add(runeHash(runes, j), i)
				}
			}
		}
	}
	slices.Sort(entries)
	entries = slices.Compact(entries)

	var out []DuplicateCandidate
	scored := map[uint64]bool{}
	for lo := 0; lo < len(entries); {
		key := entries[lo] >> idxBits
		hi := lo + 1
		for hi < len(entries) && entries[hi]>>idxBits == key {
			hi++
		}
		if n := hi - lo; n >= 2 && n <= r.MaxBlock {
			for i := lo; i < hi; i++ {
				for j := i + 1; j < hi; j++ {
					x, y := entries[i]&idxMask, entries[j]&idxMask
					pair := x<<32 | y
					if scored[pair] {
						continue
					}
					scored[pair] = true
					pa, pb := &profiles[x], &profiles[y]
					if pa.c.id.Compare(pb.c.id) > 0 {
						pa, pb = pb, pa
					}
					if cand := r.score(pa, pb); r.candidate(cand) {
						out = append(out, cand)
					}
				}
			}
		}
		lo = hi
	}
	slices.SortFunc(out, compareCandidates)
	return out
}

// nameBlockForm appends the words of a normalised name to dst in sorted
// order, separated by single spaces, so that word order does not matter.
func nameBlockForm(dst []rune, name string) []rune {
	words := strings.Fields(name)
	slices.Sort(words)
	for i, w := range words {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, []rune(w)...)
	}
	return dst
}

// FNV-1a, 64 bits: deterministic, so that which keys exceed MaxBlock does
// not vary between runs. FindDuplicatesIn keeps the high bits that leave
// room for a customer's index; a collision of two keys only costs extra
// comparisons (and may, rarely, push a merged block past MaxBlock).
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// keyHash hashes a contact key, prefixed by its kind.
func keyHash(kind byte, s string) uint64 {
	h := uint64(fnvOffset)
	h = (h ^ uint64(kind)) * fnvPrime
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

// runeHash hashes a name block form with the rune at skip left out (none
// when skip < 0), prefixed by the name kind.
func runeHash(rs []rune, skip int) uint64 {
	h := uint64(fnvOffset)
	h = (h ^ uint64('n')) * fnvPrime
	for i, r := range rs {
		if i == skip {
			continue
		}
		for _, b := range [4]byte{byte(r), byte(r >> 8), byte(r >> 16), byte(r >> 24)} {
			h = (h ^ uint64(b)) * fnvPrime
		}
	}
	return h
}
