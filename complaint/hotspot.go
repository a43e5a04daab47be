package complaint

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// Limits on hotspot rules.
const (
	MaxHotspotRules     = 100     // rules in one HotspotRules
	MaxRuleNameLen      = 64      // bytes in a rule's name
	MaxTrendPeriods     = 52      // previous windows a trend rule compares with
	MaxEvidenceCap      = 1000    // the largest evidence cap a rule may ask for
	DefaultEvidenceCap  = 20      // evidence IDs kept when a rule sets none
	maxHotspotThreshold = 1 << 30 // the largest Min a rule may ask for
)

// Fact is the part of a complaint that hotspot detection reads. It is a
// plain value, so detection can run over millions of complaints without
// loading whole entities; build one with [FactOf] or fill it from a query.
type Fact struct {
	ID       crm.ID
	Customer crm.ID
	// Category is the complaint's category code.
	Category string
	// CategoryPath is the codes from the root down to Category, as from
	// [CategoryTree.Path]; optional. A rule's category matches a fact when
	// it equals Category or appears in CategoryPath.
	CategoryPath []string
	Asset        Asset
	Severity     Severity
	ReceivedAt   time.Time
}

// FactOf returns the fact of c. CategoryPath is left empty: the complaint
// does not hold its category tree; fill it with [CategoryTree.Path] when
// rules name parent categories.
func FactOf(c *Complaint) Fact {
	return Fact{
		ID: c.id, Customer: c.customer, Category: c.category, Asset: slices.Clone(c.asset),
		Severity: c.severity, ReceivedAt: c.receivedAt,
	}
}

// RuleKind says what a hotspot rule looks for.
type RuleKind uint8

// Rule kinds. The stored form is the name.
const (
	// RuleCluster: at least Min complaints of the category on one asset
	// (cut to AssetLevel levels) within Window.
	RuleCluster RuleKind = iota + 1
	// RuleTrend: the count in the last Window is at least Min and at least
	// Factor times the mean count of the Periods windows before it.
	RuleTrend
	// RuleRepeat: one customer made at least Min complaints within Window.
	RuleRepeat
	// RuleSeveritySpike: at least Min complaints of severity MinSeverity
	// (default high) or above on one asset within Window.
	RuleSeveritySpike
)

var hsRuleKinds = enum.New[RuleKind]("rule kind", "cluster", "trend", "repeat", "severity_spike")

// ParseRuleKind parses a rule kind name such as "cluster".
func ParseRuleKind(s string) (RuleKind, error) { return hsRuleKinds.Parse(s) }

// String returns the rule kind's name.
func (k RuleKind) String() string { return hsRuleKinds.String(k) }

// Valid reports whether k is a known rule kind.
func (k RuleKind) Valid() bool { return hsRuleKinds.Valid(k) }

// MarshalText implements encoding.TextMarshaler.
func (k RuleKind) MarshalText() ([]byte, error) { return hsRuleKinds.Marshal(k) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *RuleKind) UnmarshalText(b []byte) (err error) {
	*k, err = hsRuleKinds.Parse(string(b))
	return err
}

// HotspotRule is one detection rule. Rules are host data: they travel as
// JSON (Window as a Go duration string such as "168h").
//
// Facts count for a rule when their category matches Category ("" matches
// all; a parent code matches its whole subtree through Fact.CategoryPath)
// and their ReceivedAt lies in the window (at-Window, at] for the detection
// time at. Facts after at are ignored.
//
// Grouping: cluster, trend and severity_spike rules group facts by the
// first AssetLevel levels of their asset (facts with fewer levels are
// skipped; AssetLevel 0 means no asset grouping, which only trend allows);
// a cluster or trend rule with an empty Category also groups by the facts'
// category code. Repeat rules group by customer.
type HotspotRule struct {
	// Name identifies the rule in hotspots; unique in its set. Required.
	Name string
	// Kind is what the rule looks for. Required.
	Kind RuleKind
	// Category is a category code; "" matches every category.
	Category string
	// AssetLevel is how many asset levels to group by, 0 to MaxAssetLevels:
	// 2 groups [project building unit] assets by building.
	AssetLevel int
	// Min is the least count that raises a hotspot; at least 1.
	Min int
	// Window is the length of the counting window; positive.
	Window time.Duration
	// Factor is a trend rule's growth factor over the baseline; at least 1.
	Factor float64
	// Periods is how many previous windows make a trend rule's baseline;
	// 1 to MaxTrendPeriods.
	Periods int
	// MinSeverity is the least severity a severity_spike rule counts; zero
	// means High.
	MinSeverity Severity
	// EvidenceCap is how many complaint IDs a hotspot keeps as evidence; 0
	// means DefaultEvidenceCap.
	EvidenceCap int
}

type hsRuleWire struct {
	Name        string   `json:"name"`
	Kind        RuleKind `json:"kind"`
	Category    string   `json:"category,omitempty"`
	AssetLevel  int      `json:"asset_level,omitempty"`
	Min         int      `json:"min"`
	Window      string   `json:"window"`
	Factor      float64  `json:"factor,omitempty"`
	Periods     int      `json:"periods,omitempty"`
	MinSeverity Severity `json:"min_severity,omitempty"`
	EvidenceCap int      `json:"evidence_cap,omitempty"`
}

// MarshalJSON encodes the rule with Window as a duration string.
func (r HotspotRule) MarshalJSON() ([]byte, error) {
	w := hsRuleWire{
		Name: r.Name, Kind: r.Kind, Category: r.Category, AssetLevel: r.AssetLevel, Min: r.Min,
		Window: r.Window.String(), Factor: r.Factor, Periods: r.Periods, EvidenceCap: r.EvidenceCap,
	}
	if r.Kind == 0 {
		return nil, crm.Invalid("complaint.HotspotRule", "kind", "unknown rule kind")
	}
	if r.MinSeverity != 0 {
		w.MinSeverity = r.MinSeverity
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes a rule; it does not validate it (see
// [HotspotRules.Validate], which HotspotRules' decoding runs).
func (r *HotspotRule) UnmarshalJSON(b []byte) error {
	var w hsRuleWire
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("complaint: decode hotspot rule: %w", crm.Invalid("complaint.HotspotRule", "", err.Error()))
	}
	d, err := time.ParseDuration(w.Window)
	if err != nil {
		return fmt.Errorf("complaint: decode hotspot rule: %w", crm.Invalid("complaint.HotspotRule", "window", "not a duration such as \"168h\""))
	}
	*r = HotspotRule{
		Name: w.Name, Kind: w.Kind, Category: w.Category, AssetLevel: w.AssetLevel, Min: w.Min,
		Window: d, Factor: w.Factor, Periods: w.Periods, MinSeverity: w.MinSeverity, EvidenceCap: w.EvidenceCap,
	}
	return nil
}

// HotspotRules is a set of detection rules, applied in order. It encodes
// as a JSON array of rules; decoding validates.
type HotspotRules []HotspotRule

// Validate returns an error wrapping crm.ErrInvalid, naming every bad
// field, when the rules are malformed.
func (rs HotspotRules) Validate() error {
	var v crm.Validator
	v.Check(len(rs) <= MaxHotspotRules, "rules", "too many rules")
	seen := make(map[string]bool, len(rs))
	for i, r := range rs {
		p := fmt.Sprintf("rules[%d]", i)
		v.Check(strings.TrimSpace(r.Name) != "" && len(r.Name) <= MaxRuleNameLen && utf8.ValidString(r.Name), p+".name", "must be 1 to 64 bytes of UTF-8")
		if seen[r.Name] {
			v.Addf(p+".name", "duplicate name %.64q", r.Name)
		}
		seen[r.Name] = true
		v.Check(r.Kind.Valid(), p+".kind", "unknown rule kind")
		if r.Category != "" {
			checkCode(&v, p+".category", r.Category)
		}
		v.Check(r.Min >= 1 && r.Min <= maxHotspotThreshold, p+".min", "must be at least 1")
		v.Check(r.Window > 0, p+".window", "must be positive")
		v.Check(r.EvidenceCap >= 0 && r.EvidenceCap <= MaxEvidenceCap, p+".evidence_cap", "must be 0 to 1000")
		v.Check(r.AssetLevel >= 0 && r.AssetLevel <= MaxAssetLevels, p+".asset_level", "must be 0 to 8")
		switch r.Kind {
		case RuleCluster, RuleSeveritySpike:
			v.Check(r.AssetLevel >= 1, p+".asset_level", "must be at least 1 for this kind")
		case RuleRepeat:
			v.Check(r.AssetLevel == 0, p+".asset_level", "must be 0 for a repeat rule")
		case RuleTrend:
			v.Check(r.Factor >= 1 && !math.IsInf(r.Factor, 0), p+".factor", "must be a finite number at least 1")
			v.Check(r.Periods >= 1 && r.Periods <= MaxTrendPeriods, p+".periods", "must be 1 to 52")
			if r.Periods >= 1 && r.Periods <= MaxTrendPeriods && r.Window > 0 {
				v.Check(r.Window <= time.Duration(math.MaxInt64)/time.Duration(r.Periods+1), p+".window", "too long for the periods")
			}
		}
		if r.Kind != RuleTrend {
			v.Check(r.Factor == 0 && r.Periods == 0, p+".factor", "only trend rules take factor and periods")
		}
		if r.Kind == RuleSeveritySpike {
			v.Check(r.MinSeverity == 0 || r.MinSeverity.Valid(), p+".min_severity", "unknown severity")
		} else {
			v.Check(r.MinSeverity == 0, p+".min_severity", "only severity_spike rules take a severity")
		}
	}
	return v.Err("complaint.HotspotRules")
}

// UnmarshalJSON decodes a JSON array of rules and validates it.
func (rs *HotspotRules) UnmarshalJSON(b []byte) error {
	var raw []HotspotRule
	if err := json.Unmarshal(b, &raw); err != nil {
		if !errors.Is(err, crm.ErrInvalid) {
			err = crm.Invalid("complaint.HotspotRules", "", err.Error())
		}
		return fmt.Errorf("complaint: decode hotspot rules: %w", err)
	}
	if err := HotspotRules(raw).Validate(); err != nil {
		return fmt.Errorf("complaint: decode hotspot rules: %w", err)
	}
	*rs = raw
	return nil
}

// Hotspot is what a rule found: the group it concerns (asset, category or
// customer, as the rule's kind groups), how many complaints, over which
// window, and the evidence.
type Hotspot struct {
	// Rule is the rule's name; Kind its kind.
	Rule string   `json:"rule"`
	Kind RuleKind `json:"kind"`
	// Asset is the asset prefix of the group; empty for repeat rules and
	// for trend rules without asset grouping.
	Asset Asset `json:"asset,omitempty"`
	// Category is the rule's category, or for a cluster or trend rule
	// without one, the group's category code.
	Category string `json:"category,omitempty"`
	// Customer is the repeat complainer; zero for other kinds.
	Customer crm.ID `json:"customer,omitzero"`
	// Count is how many complaints of the group fell in the window.
	Count int `json:"count"`
	// Baseline is a trend rule's mean count over its previous windows;
	// zero for other kinds.
	Baseline float64 `json:"baseline,omitempty"`
	// From and To bound the window (From, To].
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	// Evidence holds the IDs of the complaints counted, in ascending order
	// (oldest first for UUIDv7 IDs), cut to the rule's evidence cap.
	Evidence []crm.ID `json:"evidence"`
}

// Key returns a stable text key of the hotspot's group, e.g.
// "leak-cluster|leak|project:P1/building:B3|"; equal keys mean the same
// group of the same rule, so a host can avoid raising a risk twice.
func (h Hotspot) Key() string {
	cust := ""
	if !h.Customer.IsZero() {
		cust = h.Customer.String()
	}
	return h.Rule + "|" + h.Category + "|" + h.Asset.String() + "|" + cust
}

// hsKey is a group key; it is comparable so grouping needs no string
// building per fact.
type hsKey struct {
	cat  string
	cust crm.ID
	n    int
	lv   [MaxAssetLevels]AssetLevel
}

type hsGroup struct {
	ids     []crm.ID
	buckets []int // trend only: counts per window, 0 the latest
}

// Detect applies every rule to facts as of at and returns the hotspots
// found, ordered by rule (in the order given) and then by key. Detect does
// not validate rules: pass rules that passed [HotspotRules.Validate]; a
// rule that does not, is skipped. It does not change facts.
func Detect(facts []Fact, rules HotspotRules, at time.Time) []Hotspot {
	var out []Hotspot
	for _, r := range rules {
		if (HotspotRules{r}).Validate() != nil {
			continue
		}
		out = append(out, detectRule(facts, r, at)...)
	}
	return out
}

func (r HotspotRule) matchesCategory(f *Fact) bool {
	return r.Category == "" || f.Category == r.Category || slices.Contains(f.CategoryPath, r.Category)
}

func detectRule(facts []Fact, r HotspotRule, at time.Time) []Hotspot {
	periods := 1
	if r.Kind == RuleTrend {
		periods = r.Periods + 1
	}
	minSev := r.MinSeverity
	if minSev == 0 {
		minSev = High
	}
	span := r.Window * time.Duration(periods)
	groups := make(map[hsKey]*hsGroup)
	for i := range facts {
		f := &facts[i]
		d := at.Sub(f.ReceivedAt)
		if d < 0 || d >= span || !r.matchesCategory(f) {
			continue
		}
		if r.Kind == RuleSeveritySpike && (!f.Severity.Valid() || f.Severity < minSev) {
			continue
		}
		var k hsKey
		if r.Kind == RuleRepeat {
			k.cust = f.Customer
		} else {
			if len(f.Asset) < r.AssetLevel {
				continue
			}
			k.n = r.AssetLevel
			copy(k.lv[:], f.Asset[:r.AssetLevel])
		}
		if r.Category == "" && (r.Kind == RuleCluster || r.Kind == RuleTrend) {
			k.cat = f.Category
		}
		g := groups[k]
		if g == nil {
			g = &hsGroup{}
			if r.Kind == RuleTrend {
				g.buckets = make([]int, periods)
			}
			groups[k] = g
		}
		b := int(d / r.Window)
		if b == 0 {
			g.ids = append(g.ids, f.ID)
		}
		if g.buckets != nil {
			g.buckets[b]++
		}
	}
	evCap := r.EvidenceCap
	if evCap == 0 {
		evCap = DefaultEvidenceCap
	}
	var out []Hotspot
	for k, g := range groups {
		n := len(g.ids)
		if n < r.Min {
			continue
		}
		var base float64
		if r.Kind == RuleTrend {
			sum := 0
			for _, c := range g.buckets[1:] {
				sum += c
			}
			base = float64(sum) / float64(r.Periods)
			if float64(n) < r.Factor*base {
				continue
			}
		}
		slices.SortFunc(g.ids, crm.ID.Compare)
		if len(g.ids) > evCap {
			g.ids = g.ids[:evCap]
		}
		h := Hotspot{
			Rule: r.Name, Kind: r.Kind, Category: r.Category, Customer: k.cust, Count: n, Baseline: base,
			From: at.Add(-r.Window), To: at, Evidence: slices.Clip(g.ids),
		}
		if k.n > 0 {
			h.Asset = Asset(slices.Clone(k.lv[:k.n]))
		}
		if h.Category == "" {
			h.Category = k.cat
		}
		out = append(out, h)
	}
	// Order by key: category, then asset path, then customer. The asset
	// strings are built once, not per comparison.
	type keyed struct {
		asset string
		h     Hotspot
	}
	ks := make([]keyed, len(out))
	for i, h := range out {
		ks[i] = keyed{h.Asset.String(), h}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if c := strings.Compare(a.h.Category, b.h.Category); c != 0 {
			return c
		}
		if c := strings.Compare(a.asset, b.asset); c != 0 {
			return c
		}
		return a.h.Customer.Compare(b.h.Customer)
	})
	for i := range ks {
		out[i] = ks[i].h
	}
	return out
}

// MitigationStatus is where a risk stands in its mitigation.
//
//	open ──> mitigating ──> mitigated
//	  │           │
//	  └──────────>┴──────> accepted
type MitigationStatus uint8

// Mitigation statuses. The stored form is the name.
const (
	RiskOpen       MitigationStatus = iota + 1 // raised, nothing done yet
	RiskMitigating                             // measures under way
	RiskMitigated                              // measures finished; the risk is contained
	RiskAccepted                               // the business chose to live with it
)

var hsMitigationStatuses = enum.New[MitigationStatus]("mitigation status", "open", "mitigating", "mitigated", "accepted")

// ParseMitigationStatus parses a status name such as "mitigating".
func ParseMitigationStatus(s string) (MitigationStatus, error) {
	return hsMitigationStatuses.Parse(s)
}

// MitigationStatuses returns every mitigation status in order.
func MitigationStatuses() []MitigationStatus { return hsMitigationStatuses.Values() }

// String returns the status's name.
func (s MitigationStatus) String() string { return hsMitigationStatuses.String(s) }

// Valid reports whether s is a known status.
func (s MitigationStatus) Valid() bool { return hsMitigationStatuses.Valid(s) }

// MarshalText implements encoding.TextMarshaler.
func (s MitigationStatus) MarshalText() ([]byte, error) { return hsMitigationStatuses.Marshal(s) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *MitigationStatus) UnmarshalText(b []byte) (err error) {
	*s, err = hsMitigationStatuses.Parse(string(b))
	return err
}

// hsMitigationTable is the mitigation machine as data.
var hsMitigationTable = map[MitigationStatus][]MitigationStatus{
	RiskOpen:       {RiskMitigating, RiskAccepted},
	RiskMitigating: {RiskMitigated, RiskAccepted},
}

// Active reports whether s still needs work (open or mitigating).
func (s MitigationStatus) Active() bool { return s == RiskOpen || s == RiskMitigating }

// CanMoveTo reports whether the mitigation table allows s -> to.
func (s MitigationStatus) CanMoveTo(to MitigationStatus) bool {
	return slices.Contains(hsMitigationTable[s], to)
}

// RiskNote is one dated remark on a risk.
type RiskNote struct {
	At    time.Time  `json:"at"`
	Actor crm.UserID `json:"actor"`
	Text  string     `json:"text"`
}

// Risk is a raised hotspot under management (风险评估与预防): its
// evidence, a named owner, its mitigation status and notes. A Risk is not
// safe for concurrent use.
type Risk struct {
	id        crm.ID
	tenant    crm.TenantID
	version   int64
	hotspot   Hotspot
	owner     crm.UserID
	status    MitigationStatus
	notes     []RiskNote
	createdAt time.Time
	updatedAt time.Time
}

// NewRisk raises a risk from h, owned by owner, in status open. id,
// tenant and owner are required, and h must name a rule and hold evidence.
func NewRisk(h Hotspot, owner crm.UserID, id crm.ID, tenant crm.TenantID, now time.Time) (*Risk, error) {
	var v crm.Validator
	v.Check(!id.IsZero(), "id", "required")
	v.Merge("tenant", tenant.Validate())
	v.Merge("owner", owner.Validate())
	v.Check(h.Rule != "", "hotspot.rule", "required")
	v.Check(len(h.Evidence) > 0, "hotspot.evidence", "required")
	v.Check(!now.IsZero(), "now", "required")
	if err := v.Err("complaint.NewRisk"); err != nil {
		return nil, err
	}
	h.Asset = slices.Clone(h.Asset)
	h.Evidence = slices.Clone(h.Evidence)
	now = now.UTC()
	return &Risk{id: id, tenant: tenant, hotspot: h, owner: owner, status: RiskOpen, createdAt: now, updatedAt: now}, nil
}

// ID returns the risk's ID.
func (r *Risk) ID() crm.ID { return r.id }

// Tenant returns the risk's tenant.
func (r *Risk) Tenant() crm.TenantID { return r.tenant }

// Version returns the stored version (0 until first stored).
func (r *Risk) Version() int64 { return r.version }

// Active reports whether the risk still needs work: open or mitigating.
// A tenant has at most one active risk per hotspot key.
func (r *Risk) Active() bool { return r.status.Active() }

// Key returns the key of the hotspot the risk was raised from.
func (r *Risk) Key() string { return r.hotspot.Key() }

// Hotspot returns a copy of the hotspot the risk was raised from.
func (r *Risk) Hotspot() Hotspot {
	h := r.hotspot
	h.Asset = slices.Clone(h.Asset)
	h.Evidence = slices.Clone(h.Evidence)
	return h
}

// Evidence returns the IDs of the complaints behind the risk.
func (r *Risk) Evidence() []crm.ID { return slices.Clone(r.hotspot.Evidence) }

// Owner returns the user responsible for the risk.
func (r *Risk) Owner() crm.UserID { return r.owner }

// Status returns the mitigation status.
func (r *Risk) Status() MitigationStatus { return r.status }

// Notes returns the notes, oldest first.
func (r *Risk) Notes() []RiskNote { return slices.Clone(r.notes) }

// CreatedAt returns when the risk was raised.
func (r *Risk) CreatedAt() time.Time { return r.createdAt }

// UpdatedAt returns when the risk last changed.
func (r *Risk) UpdatedAt() time.Time { return r.updatedAt }

func checkRiskNote(v *crm.Validator, actor crm.UserID, text string, now time.Time) {
	v.Merge("actor", actor.Validate())
	checkText(v, "note", text, false)
	v.Check(!now.IsZero(), "now", "required")
}

// Move changes the mitigation status to to, recording note (optional) by
// actor. A move the table does not allow returns a *crm.TransitionError;
// bad input an error wrapping crm.ErrInvalid. A refused move changes
// nothing.
func (r *Risk) Move(to MitigationStatus, actor crm.UserID, note string, now time.Time) error {
	var v crm.Validator
	checkRiskNote(&v, actor, note, now)
	v.Check(note == "" || len(r.notes) < MaxRiskNotes, "notes", "too many notes")
	v.Check(to.Valid(), "to", "unknown mitigation status")
	if err := v.Err("complaint.Risk.Move"); err != nil {
		return fmt.Errorf("complaint: move risk %s: %w", r.id, err)
	}
	if !r.status.CanMoveTo(to) {
		return fmt.Errorf("complaint: move risk %s: %w", r.id,
			&crm.TransitionError{Machine: "risk mitigation", From: r.status.String(), To: to.String()})
	}
	now = now.UTC()
	r.status = to
	if note != "" {
		r.notes = append(r.notes, RiskNote{At: now, Actor: actor, Text: note})
	}
	r.updatedAt = now
	return nil
}

// AddNote records a non-empty note by actor.
func (r *Risk) AddNote(actor crm.UserID, text string, now time.Time) error {
	var v crm.Validator
	checkRiskNote(&v, actor, text, now)
	v.Check(strings.TrimSpace(text) != "", "note", "required")
	v.Check(len(r.notes) < MaxRiskNotes, "notes", "too many notes")
	if err := v.Err("complaint.Risk.AddNote"); err != nil {
		return fmt.Errorf("complaint: note risk %s: %w", r.id, err)
	}
	now = now.UTC()
	r.notes = append(r.notes, RiskNote{At: now, Actor: actor, Text: text})
	r.updatedAt = now
	return nil
}

// Reassign gives the risk to a new owner.
func (r *Risk) Reassign(owner crm.UserID, now time.Time) error {
	var v crm.Validator
	v.Merge("owner", owner.Validate())
	v.Check(!now.IsZero(), "now", "required")
	if err := v.Err("complaint.Risk.Reassign"); err != nil {
		return fmt.Errorf("complaint: reassign risk %s: %w", r.id, err)
	}
	r.owner = owner
	r.updatedAt = now.UTC()
	return nil
}
