package csvio

import (
	"time"

	"github.com/crmkit/crm"
)

// Mapping is what the import options need of a package's mapping.
type Mapping interface {
	// Validate returns a *crm.ValidationError listing every problem of
	// the mapping.
	Validate() error
}

// ProgressType is a package's Progress: a struct type with Progress's
// fields.
type ProgressType interface {
	~struct {
		Rows     int
		Stored   int
		Rejected int
		Elapsed  time.Duration
	}
}

// Options are the options of an import, field for field as the packages'
// ImportOptions hold them, so that a package converts its own to Options
// and back (the conversion stops compiling if the two part). M is the
// package's Mapping, P its Policy (0 all or nothing, 1 skip invalid, as
// the packages' AllOrNothing and SkipInvalid are), G its Progress.
type Options[M Mapping, P ~uint8, G ProgressType] struct {
	Tenant      crm.TenantID
	Mapping     M
	Policy      P
	Change      crm.Change
	Clock       crm.Clock
	IDs         crm.IDGenerator
	BatchSize   int
	MaxRejected int
	Progress    func(G)
}

// CheckOptions returns the *crm.ValidationError of f.Name+".ImportOptions"
// listing every problem of o ("tenant", "mapping", "change.actor",
// "policy", "batch_size", "max_rejected"), or o with its defaults: Clock
// crm.SystemClock, Change.At the Clock's now, BatchSize and MaxRejected
// the format's.
func CheckOptions[F any, E error, M Mapping, P ~uint8, G ProgressType](f *Format[F, E], o Options[M, P, G]) (Options[M, P, G], error) {
	var v crm.Validator
	v.Merge("tenant", o.Tenant.Validate())
	v.Merge("mapping", o.Mapping.Validate())
	v.Merge("change.actor", o.Change.Actor.Validate())
	v.Check(o.Policy <= 1, "policy", "unknown policy")
	b := f.CheckBatching(&v, Batching{Size: o.BatchSize, MaxRejected: o.MaxRejected})
	if err := v.Err(f.Name + ".ImportOptions"); err != nil {
		return o, err
	}
	if o.Clock == nil {
		o.Clock = crm.SystemClock{}
	}
	if o.Change.At.IsZero() {
		o.Change.At = o.Clock.Now()
	}
	o.BatchSize, o.MaxRejected = b.Size, b.MaxRejected
	return o, nil
}

// Batching returns how an import with o writes.
func (o Options[M, P, G]) Batching() Batching {
	return Batching{SkipInvalid: o.Policy == 1, Size: o.BatchSize, MaxRejected: o.MaxRejected}
}

// ProgressFunc returns o.Progress as Import calls it: nil when it is nil.
func (o Options[M, P, G]) ProgressFunc() func(Progress) {
	if o.Progress == nil {
		return nil
	}
	return func(p Progress) { o.Progress(G(p)) }
}
