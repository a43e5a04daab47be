package scoring

import (
	"fmt"
	"hash/maphash"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// RFM scoring limits.
const (
	// DefaultRFMBins is the number of score bins when RFMOptions.Bins is 0
	// (quintiles).
	DefaultRFMBins = 5
	// MaxRFMBins is the largest number of bins accepted.
	MaxRFMBins = 100
)

// TieRule says how RFM scoring treats customers with equal values.
type TieRule uint8

// Tie rules. The stored form is the name.
const (
	// TiesShareBin gives equal values the same score. A value's score is
	// 1 + ⌊bins × (below + equal/2) / n⌋, where below counts the customers
	// with a worse value and equal those with the same value (itself
	// included): its mid-rank percentile. Without ties the bins are equal
	// in size (within one); with ties they are not, and when many customers
	// share the lowest value no one may get score 1.
	TiesShareBin TieRule = iota + 1
	// TiesEqualSize fills the bins equally (sizes differ by at most one)
	// even when that splits equal values across two bins. Customers are
	// ranked by value; equal values are ordered by customer ID (byte-wise
	// ascending), then by input position, and the customer at 0-based
	// position i gets 1 + ⌊bins × i / n⌋. Deterministic, but two customers
	// with the same behaviour may get different scores.
	TiesEqualSize
)

var tieRules = enum.New[TieRule]("tie rule", "share_bin", "equal_size")

// ParseTieRule parses "share_bin" or "equal_size".
func ParseTieRule(s string) (TieRule, error) { return tieRules.Parse(s) }

// String returns the rule's name.
func (r TieRule) String() string { return tieRules.String(r) }

// Valid reports whether r is a known rule.
func (r TieRule) Valid() bool { return tieRules.Valid(r) }

// MarshalText implements encoding.TextMarshaler.
func (r TieRule) MarshalText() ([]byte, error) { return tieRules.Marshal(r) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *TieRule) UnmarshalText(b []byte) (err error) {
	*r, err = tieRules.Parse(string(b))
	return err
}

// MonetaryBasis says which amount the M of RFM ranks.
type MonetaryBasis uint8

// Monetary bases. The stored form is the name.
const (
	MonetaryTotal   MonetaryBasis = iota + 1 // total spent
	MonetaryAverage                          // average amount per transaction
)

var monetaryBases = enum.New[MonetaryBasis]("monetary basis", "total", "average")

// ParseMonetaryBasis parses "total" or "average".
func ParseMonetaryBasis(s string) (MonetaryBasis, error) { return monetaryBases.Parse(s) }

// String returns the basis's name.
func (m MonetaryBasis) String() string { return monetaryBases.String(m) }

// Valid reports whether m is a known basis.
func (m MonetaryBasis) Valid() bool { return monetaryBases.Valid(m) }

// MarshalText implements encoding.TextMarshaler.
func (m MonetaryBasis) MarshalText() ([]byte, error) { return monetaryBases.Marshal(m) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *MonetaryBasis) UnmarshalText(b []byte) (err error) {
	*m, err = monetaryBases.Parse(string(b))
	return err
}

// RFMOptions configure RFM scoring. A nil *RFMOptions and every zero field
// mean the default.
type RFMOptions struct {
	// Bins is the number of score bins, 2 to MaxRFMBins; 0 means
	// DefaultRFMBins (quintiles, scores 1–5).
	Bins int
	// Ties is the tie rule; 0 means TiesShareBin.
	Ties TieRule
	// Monetary is what M ranks; 0 means MonetaryTotal.
	Monetary MonetaryBasis
}

func (o *RFMOptions) resolve(op string) (RFMOptions, error) {
	var r RFMOptions
	if o != nil {
		r = *o
	}
	var v crm.Validator
	if r.Bins == 0 {
		r.Bins = DefaultRFMBins
	}
	v.Check(r.Bins >= 2 && r.Bins <= MaxRFMBins, "bins", "must be between 2 and MaxRFMBins (100)")
	if r.Ties == 0 {
		r.Ties = TiesShareBin
	}
	v.Check(r.Ties.Valid(), "ties", "unknown tie rule")
	if r.Monetary == 0 {
		r.Monetary = MonetaryTotal
	}
	v.Check(r.Monetary.Valid(), "monetary", "unknown monetary basis")
	return r, v.Err(op)
}

// RFMRecord is one customer's purchase behaviour up to a reference date.
type RFMRecord struct {
	// CustomerID identifies the customer.
	CustomerID string
	// First and Last are the times of the first and the latest purchase.
	First, Last time.Time
	// Frequency is the number of purchases (transactions); at least 1.
	Frequency int
	// Monetary is the total amount spent; finite and not negative.
	Monetary float64
}

// RecencyDays returns the time from the latest purchase to ref in days
// (fractional), exact to the nanosecond for any pair of times.
func (r RFMRecord) RecencyDays(ref time.Time) float64 {
	sec := ref.Unix() - r.Last.Unix()
	nsec := ref.Nanosecond() - r.Last.Nanosecond()
	return (float64(sec) + float64(nsec)/1e9) / 86400
}

// AverageAmount returns Monetary / Frequency, or 0 when Frequency is 0.
func (r RFMRecord) AverageAmount() float64 {
	if r.Frequency <= 0 {
		return 0
	}
	return r.Monetary / float64(r.Frequency)
}

// RFMScore is a customer's recency, frequency and monetary scores, each from
// 1 (worst: longest ago, fewest purchases, least money) to the number of
// bins (best).
type RFMScore struct {
	R, F, M uint8
}

// String returns the cell code, e.g. "545"; when a score exceeds 9 the
// three scores are separated by dots, e.g. "10.3.7".
func (s RFMScore) String() string {
	if s.R <= 9 && s.F <= 9 && s.M <= 9 {
		return string([]byte{'0' + s.R, '0' + s.F, '0' + s.M})
	}
	return fmt.Sprintf("%d.%d.%d", s.R, s.F, s.M)
}

// Sum returns R + F + M.
func (s RFMScore) Sum() int { return int(s.R) + int(s.F) + int(s.M) }

// RFMTable is the result of RFM scoring: Scores[i] belongs to Records[i].
type RFMTable struct {
	// Ref is the reference date recency is measured to.
	Ref time.Time
	// Records holds one record per customer, in order of first appearance
	// in the transactions.
	Records []RFMRecord
	// Scores holds the customers' scores.
	Scores []RFMScore
}

// RFMAggregator turns transactions into [RFMRecord]s in one pass, keyed by
// customer. Transactions may come in any order. [RFMAggregator.AddSlice]
// and [RFMAggregator.AddAll] work in small batches so that the memory
// look-ups of many transactions overlap, which matters when millions of
// customers no longer fit in the CPU cache; consecutive transactions of the
// same customer (input grouped by customer) are cheapest. It is not safe for
// concurrent use.
type RFMAggregator struct {
	ref    time.Time
	seed   maphash.Seed
	slots  []rfmSlot // open addressing, linear probing, len a power of two
	accs   []rfmAcc  // one per customer, in order of first appearance
	lastID string
	last   int32
	touch  int
}

// rfmSlot is one entry of the aggregator's hash table: the top 32 bits of
// the key's hash and 1 + the index of its accumulator (0: empty).
type rfmSlot struct {
	tag uint32
	idx uint32
}

// rfmAcc accumulates one customer. It is 64 bytes, one cache line, so an
// update touches one line; times are kept as Unix seconds and nanoseconds.
type rfmAcc struct {
	id                  string
	lastSec, firstSec   int64
	monetary            float64
	hash                uint64
	lastNsec, firstNsec int32
	frequency           int64
}

// rfmBatch is how many transactions the batched paths look up together.
const rfmBatch = 32

// maxRFMCustomers bounds the customers one aggregator holds.
const maxRFMCustomers = 1<<31 - 1

// NewRFMAggregator returns an aggregator measuring recency to ref.
// sizeHint is the expected number of customers (0 if unknown); it only
// saves reallocation.
func NewRFMAggregator(ref time.Time, sizeHint int) (*RFMAggregator, error) {
	const op = "scoring.NewRFMAggregator"
	var v crm.Validator
	v.Check(!ref.IsZero(), "ref", "must not be the zero time")
	v.Check(sizeHint >= 0, "size_hint", "must not be negative")
	if err := v.Err(op); err != nil {
		return nil, err
	}
	a := &RFMAggregator{ref: ref, seed: maphash.MakeSeed()}
	a.reset(min(sizeHint, 1<<24))
	return a, nil
}

func (a *RFMAggregator) reset(sizeHint int) {
	n := 16
	for n < 2*sizeHint {
		n *= 2
	}
	a.slots = make([]rfmSlot, n)
	a.accs = make([]rfmAcc, 0, sizeHint)
	a.last, a.lastID = -1, ""
}

// Len returns the number of customers seen so far.
func (a *RFMAggregator) Len() int { return len(a.accs) }

// validTx reports whether t is acceptable; refuse explains why not.
func (a *RFMAggregator) validTx(t *Transaction) bool {
	return t.CustomerID != "" && !t.At.IsZero() && !t.At.After(a.ref) && t.Amount >= 0 && !math.IsInf(t.Amount, 1)
}

func (a *RFMAggregator) refuse(t *Transaction) error {
	var v crm.Validator
	v.Check(t.CustomerID != "", "customer_id", "must not be empty")
	v.Check(!t.At.IsZero(), "at", "must not be the zero time")
	v.Check(!t.At.After(a.ref), "at", "is after the reference date "+a.ref.Format(time.RFC3339))
	if v.Check(finiteVal(t.Amount), "amount", "must be a finite number") {
		v.Check(t.Amount >= 0, "amount", "must not be negative")
	}
	return v.Err("scoring.RFMAggregator.Add")
}

// Add accounts for one transaction. It refuses, leaving the aggregator
// unchanged, a transaction with an empty customer ID, a zero time, a time
// after the reference date, or an amount that is negative or not finite.
// Net returns against their sales before aggregating.
func (a *RFMAggregator) Add(t Transaction) error {
	if !a.validTx(&t) {
		return a.refuse(&t)
	}
	if a.last >= 0 && t.CustomerID == a.lastID {
		a.accs[a.last].add(&t)
		return nil
	}
	return a.apply(&t, a.hash(t.CustomerID))
}

// AddSlice adds txs in order, stopping at the first refused transaction;
// the ones before it are counted and the error names its 0-based index.
func (a *RFMAggregator) AddSlice(txs []Transaction) error {
	for base := 0; base < len(txs); base += rfmBatch {
		chunk := txs[base:min(base+rfmBatch, len(txs))]
		if at, err := a.addBatch(chunk); err != nil {
			return fmt.Errorf("scoring: RFM: transaction %d: %w", base+at, err)
		}
	}
	return nil
}

// AddAll adds every transaction of seq, stopping at the first refused one;
// the ones before it are counted and the error names its 0-based position.
func (a *RFMAggregator) AddAll(seq iter.Seq[Transaction]) error {
	var buf [rfmBatch]Transaction
	n, base := 0, 0
	flush := func() error {
		if at, err := a.addBatch(buf[:n]); err != nil {
			return fmt.Errorf("scoring: RFM: transaction %d: %w", base+at, err)
		}
		base += n
		n = 0
		return nil
	}
	for t := range seq {
		buf[n] = t
		n++
		if n == rfmBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// addBatch adds up to rfmBatch transactions, in stages so that the cache
// misses of different transactions overlap instead of queueing: load every
// ID, hash them, then load every home slot, then every candidate accumulator, then
// the bytes of its ID, and only then resolve and update (by then the memory
// is cached). Transactions before a refused one are applied; the refused
// one's position in txs is returned with the error.
func (a *RFMAggregator) addBatch(txs []Transaction) (int, error) {
	var hashes [rfmBatch]uint64
	var cand [rfmBatch]uint32
	var repeat [rfmBatch]bool // same customer as the transaction before
	touch := 0
	for j := range txs {
		// IDs shared by many transactions (interned) lie anywhere in
		// memory: load their first bytes together before hashing.
		if id := txs[j].CustomerID; id != "" {
			touch += int(id[0])
		}
	}
	valid := len(txs)
	for j := range txs {
		if !a.validTx(&txs[j]) {
			valid = j
			break
		}
		if j > 0 && txs[j].CustomerID == txs[j-1].CustomerID {
			repeat[j] = true
			continue
		}
		hashes[j] = a.hash(txs[j].CustomerID)
	}
	mask := uint64(len(a.slots) - 1)
	for j := range valid {
		if repeat[j] {
			continue
		}
		// Follow the probe sequence to the first slot with the same tag
		// (or an empty one); the next slots are usually in the same line.
		tag := uint32(hashes[j] >> 32)
		for p, k := hashes[j]&mask, 0; k < 8; p, k = (p+1)&mask, k+1 {
			s := a.slots[p]
			if s.idx == 0 {
				break
			}
			if s.tag == tag {
				cand[j] = s.idx
				break
			}
		}
	}
	var keys [rfmBatch]string
	for j := range valid {
		if cand[j] != 0 {
			keys[j] = a.accs[cand[j]-1].id
		}
	}
	for j := range valid {
		if keys[j] != "" {
			touch += int(keys[j][0])
		}
	}
	a.touch = touch // a live store keeps the loads above from being optimised away
	for j := range valid {
		t := &txs[j]
		if repeat[j] || (a.last >= 0 && t.CustomerID == a.lastID) {
			a.accs[a.last].add(t)
			continue
		}
		if err := a.apply(t, hashes[j]); err != nil {
			return j, err
		}
	}
	if valid < len(txs) {
		return valid, a.refuse(&txs[valid])
	}
	return 0, nil
}

func (a *RFMAggregator) hash(id string) uint64 { return maphash.String(a.seed, id) }

// apply finds or creates the accumulator of t's customer (hash h) and
// updates it.
func (a *RFMAggregator) apply(t *Transaction, h uint64) error {
	mask := uint64(len(a.slots) - 1)
	tag := uint32(h >> 32)
	p := h & mask
	for {
		s := a.slots[p]
		if s.idx == 0 {
			break
		}
		if s.tag == tag && a.accs[s.idx-1].id == t.CustomerID {
			a.accs[s.idx-1].add(t)
			a.last, a.lastID = int32(s.idx-1), t.CustomerID
			return nil
		}
		p = (p + 1) & mask
	}
	if len(a.accs) >= maxRFMCustomers {
		return crm.Invalid("scoring.RFMAggregator.Add", "customer_id", "too many customers")
	}
	idx := len(a.accs)
	sec, nsec := t.At.Unix(), int32(t.At.Nanosecond())
	a.accs = append(a.accs, rfmAcc{id: t.CustomerID, hash: h, firstSec: sec, firstNsec: nsec, lastSec: sec, lastNsec: nsec})
	a.accs[idx].add(t)
	a.last, a.lastID = int32(idx), t.CustomerID
	if 2*len(a.accs) > len(a.slots) {
		a.grow() // re-inserts every accumulator, the new one included
		return nil
	}
	a.slots[p] = rfmSlot{tag: tag, idx: uint32(idx + 1)}
	return nil
}

// grow doubles the table and re-inserts every accumulator by its stored
// hash.
func (a *RFMAggregator) grow() {
	a.slots = make([]rfmSlot, 2*len(a.slots))
	mask := uint64(len(a.slots) - 1)
	for i := range a.accs {
		h := a.accs[i].hash
		p := h & mask
		for a.slots[p].idx != 0 {
			p = (p + 1) & mask
		}
		a.slots[p] = rfmSlot{tag: uint32(h >> 32), idx: uint32(i + 1)}
	}
}

// add accounts for a valid transaction of the accumulator's customer.
func (c *rfmAcc) add(t *Transaction) {
	c.monetary += t.Amount
	c.frequency++
	sec, nsec := t.At.Unix(), int32(t.At.Nanosecond())
	if sec < c.firstSec || (sec == c.firstSec && nsec < c.firstNsec) {
		c.firstSec, c.firstNsec = sec, nsec
	}
	if sec > c.lastSec || (sec == c.lastSec && nsec > c.lastNsec) {
		c.lastSec, c.lastNsec = sec, nsec
	}
}

// Finish scores the customers seen and returns the table, with First and
// Last in the location of the reference date. The aggregator is reset to
// empty (same reference date), ready for reuse. It refuses an empty
// aggregator and a customer whose total overflowed float64; options are
// validated before anything changes.
func (a *RFMAggregator) Finish(opts *RFMOptions) (RFMTable, error) {
	const op = "scoring.RFMAggregator.Finish"
	o, err := opts.resolve(op)
	if err != nil {
		return RFMTable{}, err
	}
	if len(a.accs) == 0 {
		return RFMTable{}, crm.Invalid(op, "transactions", "must not be empty")
	}
	for i := range a.accs {
		if math.IsInf(a.accs[i].monetary, 1) {
			return RFMTable{}, crm.Invalid(op, "transactions", fmt.Sprintf("total of customer %q overflows float64", a.accs[i].id))
		}
	}
	loc := a.ref.Location()
	records := make([]RFMRecord, len(a.accs))
	for i := range a.accs {
		c := &a.accs[i]
		records[i] = RFMRecord{
			CustomerID: c.id,
			First:      time.Unix(c.firstSec, int64(c.firstNsec)).In(loc),
			Last:       time.Unix(c.lastSec, int64(c.lastNsec)).In(loc),
			Frequency:  int(c.frequency),
			Monetary:   c.monetary,
		}
	}
	a.reset(0)
	scores := make([]RFMScore, len(records))
	scoreRFM(records, o, scores)
	return RFMTable{Ref: a.ref, Records: records, Scores: scores}, nil
}

// ComputeRFM aggregates the transactions of seq at reference date ref and
// scores them: [NewRFMAggregator], [RFMAggregator.AddAll] and
// [RFMAggregator.Finish] in one call. For a slice use slices.Values(txs).
func ComputeRFM(ref time.Time, seq iter.Seq[Transaction], opts *RFMOptions) (RFMTable, error) {
	if _, err := opts.resolve("scoring.ComputeRFM"); err != nil {
		return RFMTable{}, err
	}
	a, err := NewRFMAggregator(ref, 0)
	if err != nil {
		return RFMTable{}, fmt.Errorf("scoring: RFM: %w", err)
	}
	if err := a.AddAll(seq); err != nil {
		return RFMTable{}, err
	}
	return a.Finish(opts)
}

// ScoreRFM scores records that were aggregated elsewhere (for example by a
// database query grouping transactions by customer). Scores[i] belongs to
// records[i]. It refuses empty input and records with Frequency < 1, a zero
// Last time, or a Monetary total that is negative or not finite.
func ScoreRFM(records []RFMRecord, opts *RFMOptions) ([]RFMScore, error) {
	const op = "scoring.ScoreRFM"
	o, err := opts.resolve(op)
	if err != nil {
		return nil, err
	}
	if len(records) == 0 {
		return nil, crm.Invalid(op, "records", "must not be empty")
	}
	if len(records) > math.MaxInt32 {
		return nil, crm.Invalid(op, "records", "too many records")
	}
	var v crm.Validator
	bad := 0
	for i, r := range records {
		if bad == 20 {
			break // enough to act on
		}
		if r.Frequency < 1 || r.Last.IsZero() || !(r.Monetary >= 0) || math.IsInf(r.Monetary, 1) {
			p := fmt.Sprintf("records[%d]", i)
			v.Check(r.Frequency >= 1, p+".frequency", "must be at least 1")
			v.Check(!r.Last.IsZero(), p+".last", "must not be the zero time")
			if v.Check(finiteVal(r.Monetary), p+".monetary", "must be a finite number") {
				v.Check(r.Monetary >= 0, p+".monetary", "must not be negative")
			}
			bad++
		}
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	scores := make([]RFMScore, len(records))
	scoreRFM(records, o, scores)
	return scores, nil
}

// scoreRFM fills out (len(records)) for valid records and resolved options.
// Each dimension is ranked by an order-preserving integer key with one
// radix sort: the later the last purchase, the more purchases, the more
// money, the better.
func scoreRFM(records []RFMRecord, o RFMOptions, out []RFMScore) {
	n := len(records)
	items := make([]sortItem, n)
	buf := make([]sortItem, n)
	recencyKeys(records, items, buf)
	assignBins(radixSort(items, buf), records, o, func(s *RFMScore, b uint8) { s.R = b }, out)
	for i := range records {
		items[i] = sortItem{key: uint64(records[i].Frequency), idx: uint32(i)}
	}
	assignBins(radixSort(items, buf), records, o, func(s *RFMScore, b uint8) { s.F = b }, out)
	for i := range records {
		m := records[i].Monetary
		if o.Monetary == MonetaryAverage {
			m = records[i].AverageAmount()
		}
		items[i] = sortItem{key: floatKey(m), idx: uint32(i)}
	}
	assignBins(radixSort(items, buf), records, o, func(s *RFMScore, b uint8) { s.M = b }, out)
}

// recencyKeys fills items with keys that order the records by their last
// purchase: nanoseconds since the earliest one when the span fits in 63
// bits (292 years), else dense ranks from a comparison sort.
func recencyKeys(records []RFMRecord, items, buf []sortItem) {
	lo, hi := records[0].Last.Unix(), records[0].Last.Unix()
	for i := range records {
		s := records[i].Last.Unix()
		lo, hi = min(lo, s), max(hi, s)
	}
	if hi-lo >= 0 && hi-lo < math.MaxInt64/1_000_000_000-1 {
		for i := range records {
			l := records[i].Last
			items[i] = sortItem{key: uint64(l.Unix()-lo)*1_000_000_000 + uint64(l.Nanosecond()), idx: uint32(i)}
		}
		return
	}
	order := buf[:len(records)]
	for i := range order {
		order[i] = sortItem{idx: uint32(i)}
	}
	slices.SortFunc(order, func(a, b sortItem) int { return records[a.idx].Last.Compare(records[b.idx].Last) })
	rank := uint64(0)
	for k, it := range order {
		if k > 0 && !records[it.idx].Last.Equal(records[order[k-1].idx].Last) {
			rank++
		}
		items[it.idx] = sortItem{key: rank, idx: it.idx}
	}
}

// assignBins gives each item of sorted (ascending key) its bin.
func assignBins(sorted []sortItem, records []RFMRecord, o RFMOptions, set func(*RFMScore, uint8), out []RFMScore) {
	n := int64(len(sorted))
	bins := int64(o.Bins)
	if o.Ties == TiesEqualSize {
		// The radix sort is stable, so equal keys are in input order;
		// order each run of equal keys by customer ID, keeping input
		// order for equal IDs.
		for s := 0; s < len(sorted); {
			e := s + 1
			for e < len(sorted) && sorted[e].key == sorted[s].key {
				e++
			}
			if e-s > 1 {
				slices.SortStableFunc(sorted[s:e], func(a, b sortItem) int {
					return strings.Compare(records[a.idx].CustomerID, records[b.idx].CustomerID)
				})
			}
			s = e
		}
		for p, it := range sorted {
			set(&out[it.idx], uint8(1+bins*int64(p)/n))
		}
		return
	}
	for s := 0; s < len(sorted); {
		e := s + 1
		for e < len(sorted) && sorted[e].key == sorted[s].key {
			e++
		}
		// 1 + ⌊bins × (below + equal/2) / n⌋ in integers: below = s,
		// equal = e − s. below + equal/2 < n, so the score is at most bins.
		b := uint8(1 + bins*int64(2*s+(e-s))/(2*n))
		for _, it := range sorted[s:e] {
			set(&out[it.idx], b)
		}
		s = e
	}
}

// ScoreRange is an inclusive range of scores, Min to Max. The zero value
// matches any score.
type ScoreRange struct {
	Min, Max uint8
}

// Any reports whether r is the zero value, which matches any score.
func (r ScoreRange) Any() bool { return r.Min == 0 && r.Max == 0 }

// Contains reports whether score s is within r.
func (r ScoreRange) Contains(s uint8) bool { return r.Any() || (s >= r.Min && s <= r.Max) }

func (r ScoreRange) valid() bool { return r.Any() || (r.Min >= 1 && r.Min <= r.Max) }

// RFMPattern matches RFM scores: each of R, F and M must be within its
// range. Its text form has three terms, one each for R, F and M, with no
// spaces: "*" (any score), a digit 1–9, "[n]" (one score, 1–100) or
// "[a-b]" (a range). Examples: "555", "5**", "[4-5][4-5]*", "[10]**".
type RFMPattern struct {
	R, F, M ScoreRange
}

// ParseRFMPattern parses the text form of an [RFMPattern].
func ParseRFMPattern(s string) (RFMPattern, error) {
	const op = "scoring.ParseRFMPattern"
	var p RFMPattern
	rest := s
	if len(rest) > 64 {
		return p, crm.Invalid(op, "", "pattern longer than 64 bytes")
	}
	for i, dst := range []*ScoreRange{&p.R, &p.F, &p.M} {
		r, n, err := parseScoreTerm(rest)
		if err != nil {
			return RFMPattern{}, crm.Invalid(op, "", fmt.Sprintf("term %d of %q: %s", i+1, s, err.Error()))
		}
		*dst, rest = r, rest[n:]
	}
	if rest != "" {
		return RFMPattern{}, crm.Invalid(op, "", fmt.Sprintf("%q: unexpected %q after three terms", s, rest))
	}
	return p, nil
}

// patternError is a parse problem within a pattern term.
type patternError string

// Error returns the problem.
func (e patternError) Error() string { return string(e) }

// parseScoreTerm parses one term at the start of s and returns it and the
// number of bytes used.
func parseScoreTerm(s string) (ScoreRange, int, error) {
	if s == "" {
		return ScoreRange{}, 0, patternError("missing")
	}
	switch c := s[0]; {
	case c == '*':
		return ScoreRange{}, 1, nil
	case c >= '1' && c <= '9':
		return ScoreRange{Min: c - '0', Max: c - '0'}, 1, nil
	case c != '[':
		return ScoreRange{}, 0, patternError(fmt.Sprintf("unexpected %q", c))
	}
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return ScoreRange{}, 0, patternError("missing ]")
	}
	body := s[1:end]
	lo, hi, isRange := strings.Cut(body, "-")
	a, err := parseScoreNumber(lo)
	if err != nil {
		return ScoreRange{}, 0, err
	}
	b := a
	if isRange {
		if b, err = parseScoreNumber(hi); err != nil {
			return ScoreRange{}, 0, err
		}
		if b < a {
			return ScoreRange{}, 0, patternError(fmt.Sprintf("range [%d-%d] is reversed", a, b))
		}
	}
	return ScoreRange{Min: a, Max: b}, end + 1, nil
}

func parseScoreNumber(s string) (uint8, error) {
	if s == "" || len(s) > 3 {
		return 0, patternError(fmt.Sprintf("bad score %q", s))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, patternError(fmt.Sprintf("bad score %q", s))
		}
	}
	n, _ := strconv.Atoi(s) // at most three digits: cannot fail
	if n < 1 || n > MaxRFMBins {
		return 0, patternError(fmt.Sprintf("score %d outside 1..%d", n, MaxRFMBins))
	}
	return uint8(n), nil
}

// String returns the canonical text form, which [ParseRFMPattern] reads
// back to the same pattern.
func (p RFMPattern) String() string {
	var b strings.Builder
	for _, r := range []ScoreRange{p.R, p.F, p.M} {
		switch {
		case r.Any():
			b.WriteByte('*')
		case r.Min == r.Max && r.Min <= 9:
			b.WriteByte('0' + r.Min)
		case r.Min == r.Max:
			fmt.Fprintf(&b, "[%d]", r.Min)
		default:
			fmt.Fprintf(&b, "[%d-%d]", r.Min, r.Max)
		}
	}
	return b.String()
}

// Matches reports whether s is within all three ranges.
func (p RFMPattern) Matches(s RFMScore) bool {
	return p.R.Contains(s.R) && p.F.Contains(s.F) && p.M.Contains(s.M)
}

// MarshalText implements encoding.TextMarshaler; an invalid pattern (a
// range with Min > Max or Min 0 and Max not 0) is an error.
func (p RFMPattern) MarshalText() ([]byte, error) {
	if !p.R.valid() || !p.F.valid() || !p.M.valid() || p.R.Max > MaxRFMBins || p.F.Max > MaxRFMBins || p.M.Max > MaxRFMBins {
		return nil, crm.Invalid("scoring.RFMPattern.MarshalText", "", "invalid range")
	}
	return []byte(p.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *RFMPattern) UnmarshalText(b []byte) (err error) {
	*p, err = ParseRFMPattern(string(b))
	return err
}

// RFMSegment is a host-named segment: customers whose scores match Pattern.
type RFMSegment struct {
	Name    string     `json:"name"`
	Pattern RFMPattern `json:"pattern"`
}

// RFMSegmenter assigns RFM scores to host-named segments; the first segment
// whose pattern matches wins. Build one with [NewRFMSegmenter]; it is
// immutable and safe for concurrent use.
type RFMSegmenter struct {
	segments []RFMSegment
	fallback string
}

// NewRFMSegmenter validates segments for scores of 1..bins and returns a
// segmenter. Names must be non-empty (several segments may share a name,
// to express a union of patterns); pattern ranges must lie within 1..bins;
// fallback, the name for scores no pattern matches, must be non-empty.
func NewRFMSegmenter(bins int, segments []RFMSegment, fallback string) (*RFMSegmenter, error) {
	var v crm.Validator
	v.Check(bins >= 2 && bins <= MaxRFMBins, "bins", fmt.Sprintf("must be between 2 and %d", MaxRFMBins))
	v.Check(len(segments) > 0, "segments", "must not be empty")
	v.Check(fallback != "", "fallback", "must not be empty")
	for i, s := range segments {
		p := fmt.Sprintf("segments[%d]", i)
		v.Check(s.Name != "", p+".name", "must not be empty")
		for j, r := range []ScoreRange{s.Pattern.R, s.Pattern.F, s.Pattern.M} {
			q := p + ".pattern." + string("rfm"[j])
			if v.Check(r.valid(), q, "min must be at least 1 and at most max") {
				v.Check(int(r.Max) <= bins, q, fmt.Sprintf("max %d exceeds %d bins", r.Max, bins))
			}
		}
	}
	if err := v.Err("scoring.NewRFMSegmenter"); err != nil {
		return nil, err
	}
	return &RFMSegmenter{segments: slices.Clone(segments), fallback: fallback}, nil
}

// Segment returns the name of the first segment matching s, or the
// fallback.
func (g *RFMSegmenter) Segment(s RFMScore) string {
	for _, seg := range g.segments {
		if seg.Pattern.Matches(s) {
			return seg.Name
		}
	}
	return g.fallback
}

// Count returns how many of scores fall into each segment name (the
// fallback included when used).
func (g *RFMSegmenter) Count(scores []RFMScore) map[string]int {
	out := make(map[string]int)
	for _, s := range scores {
		out[g.Segment(s)]++
	}
	return out
}
