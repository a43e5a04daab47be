package scoring

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
)

// ManagerMetric names one figure of a [ManagerCard]. The ranking of a
// [ManagerScorecard] is a [WeightedModel] whose indicator names are metric
// names, so the weighting is data. The stored form is the name.
type ManagerMetric uint8

// The metrics of a manager scorecard.
const (
	MetricBookSize        ManagerMetric = iota + 1 // customers kept in the book
	MetricBookValue                                // value of the customers kept
	MetricKeyAccounts                              // key accounts kept
	MetricVisitAttainment                          // visits done ÷ visits targeted
	MetricCadenceKept                              // share of customers with a cadence rule contacted on time
	MetricPipeline                                 // open pipeline, weighted by probability
	MetricWonRevenue                               // revenue of opportunities won
	MetricComplaints                               // complaints received (lower is better)
	MetricCSAT                                     // mean satisfaction answer
	MetricChurnRate                                // customers lost ÷ book at the start (lower is better)
)

var managerMetrics = []string{"", "book_size", "book_value", "key_accounts", "visit_attainment",
	"cadence_kept", "pipeline", "won_revenue", "complaints", "csat", "churn_rate"}

// ParseManagerMetric parses a metric name such as "won_revenue".
func ParseManagerMetric(s string) (ManagerMetric, error) {
	for i := 1; i < len(managerMetrics); i++ {
		if managerMetrics[i] == s {
			return ManagerMetric(i), nil
		}
	}
	return 0, crm.Invalid("scoring.ParseManagerMetric", "", fmt.Sprintf("unknown manager metric %q", s))
}

// String returns the metric's name.
func (m ManagerMetric) String() string {
	if m.Valid() {
		return managerMetrics[m]
	}
	return fmt.Sprintf("ManagerMetric(%d)", uint8(m))
}

// Valid reports whether m is a known metric.
func (m ManagerMetric) Valid() bool { return m >= MetricBookSize && m <= MetricChurnRate }

// DefaultManagerRanking returns the weighting the ranking uses when
// [ManagerScorecardOptions.Ranking] is nil. Every indicator uses
// [NormalizeRank] over the managers scored, so units do not matter:
//
//	financial  0.4: won_revenue 0.5, pipeline 0.25, book_value 0.25
//	market     0.3: csat 0.4, churn_rate 0.4 (lower is better), complaints 0.2 (lower is better)
//	management 0.3: visit_attainment 0.5, cadence_kept 0.5
//
// Book size and key accounts are reported but not weighted: a large book is
// an assignment, not an achievement. The figures are a neutral start, not a
// study; a host passes its own model.
func DefaultManagerRanking() *WeightedModel {
	m, err := NewWeightedModel(DimensionWeights{Financial: 0.4, Market: 0.3, Management: 0.3}, []Indicator{
		{Name: "won_revenue", Dimension: Financial, Weight: 0.5, Normalization: NormalizeRank},
		{Name: "pipeline", Dimension: Financial, Weight: 0.25, Normalization: NormalizeRank},
		{Name: "book_value", Dimension: Financial, Weight: 0.25, Normalization: NormalizeRank},
		{Name: "csat", Dimension: Market, Weight: 0.4, Normalization: NormalizeRank},
		{Name: "churn_rate", Dimension: Market, Weight: 0.4, Normalization: NormalizeRank, LowerIsBetter: true},
		{Name: "complaints", Dimension: Market, Weight: 0.2, Normalization: NormalizeRank, LowerIsBetter: true},
		{Name: "visit_attainment", Dimension: Management, Weight: 0.5, Normalization: NormalizeRank},
		{Name: "cadence_kept", Dimension: Management, Weight: 0.5, Normalization: NormalizeRank},
	})
	if err != nil {
		panic(err) // the figures above are constants
	}
	return m
}

// VisitTarget is how many visits a manager should make each working day,
// new and return counted apart. The zero value means 7 new + 3 return.
type VisitTarget struct {
	New, Return int
}

// ManagerScorecardOptions configure a [ManagerScorecard]; the zero value
// is not enough: Currency and WorkingDays are required.
type ManagerScorecardOptions struct {
	// Currency is the one currency of every amount fed in.
	Currency crm.Currency
	// WorkingDays is the number of working days in the period (for
	// example from a business calendar); visit targets are per working day.
	WorkingDays int
	// VisitTarget is the daily visit target; zero means 7 new + 3 return.
	VisitTarget VisitTarget
	// Ranking weighs the metrics; nil means [DefaultManagerRanking]. Every
	// indicator name must be a [ManagerMetric] name.
	Ranking *WeightedModel
	// CSATScale is the scale of satisfaction answers; nil means 1 to 5.
	CSATScale *CSATScale
}

// Cadence says whether a customer was contacted within its class's rhythm.
type Cadence uint8

// Cadence states.
const (
	CadenceNone    Cadence = iota // no cadence rule applies; not counted
	CadenceKept                   // contacted on time
	CadenceOverdue                // overdue for contact
)

// BookMember is one customer in a manager's book for the period.
type BookMember struct {
	// Manager owns the customer.
	Manager crm.UserID
	// Value is the customer's value in the scorecard's currency (revenue of
	// the period, or a value score in money); it must not be negative.
	Value decimal.Decimal
	// Key marks a key account.
	Key bool
	// Churned marks a customer lost during the period: it counts in the
	// book at the start (for the churn rate) but not in the book kept.
	Churned bool
	// Cadence is the customer's contact rhythm state at the period's end.
	Cadence Cadence
}

// VisitDay is one manager's visits of one day. Several VisitDays for the
// same manager and calendar day add up.
type VisitDay struct {
	Manager crm.UserID
	// Day is the calendar day, read in Day's own location.
	Day time.Time
	// PlannedNew, PlannedReturn, DoneNew and DoneReturn count visits;
	// done visits are part of the plan.
	PlannedNew, PlannedReturn, DoneNew, DoneReturn int
}

// DealOutcome is where an opportunity stands at the period's end.
type DealOutcome uint8

// Deal outcomes.
const (
	DealOpen DealOutcome = iota + 1
	DealWon
	DealLost
)

// Deal is one opportunity of a manager.
type Deal struct {
	Manager crm.UserID
	Outcome DealOutcome
	// Amount is the opportunity's amount in the scorecard's currency; not
	// negative.
	Amount decimal.Decimal
	// Probability is the win probability of an open deal, 0 to 1; other
	// outcomes ignore it.
	Probability float64
}

// ComplaintFact is one complaint against a manager's customer.
type ComplaintFact struct {
	Manager crm.UserID
	// CSAT is the satisfaction answer of the follow-up survey, or 0 when
	// the customer was not surveyed (0 must then lie outside the scale).
	CSAT int
}

// ManagerCard is one manager's scorecard.
type ManagerCard struct {
	Manager crm.UserID
	// BookSize counts the customers kept; Churned those lost; ChurnRate is
	// Churned ÷ (BookSize + Churned), 0 for an empty book.
	BookSize, Churned int
	ChurnRate         float64
	// BookValue sums the value of the customers kept.
	//
	// Money figures (BookValue, Pipeline, Won) are summed exactly, then the
	// sum is rounded once to the currency's minor units, half away from
	// zero ([crm.RoundHalfUp]): 75000 CNY is 75000.00 CNY, 1234.5 JPY is
	// 1235 JPY. The ranking reads these rounded figures.
	BookValue crm.Money
	// KeyAccounts counts the key accounts kept.
	KeyAccounts int
	// Visit figures over the period. VisitTarget is WorkingDays × the daily
	// target, per kind; Attainment is done ÷ target (may exceed 1), overall
	// and per kind; DaysMet counts the days on which the visits done met
	// the daily target in both kinds. VisitsRated is false when no
	// [VisitDay] of the manager was added (no day plans at all, as opposed
	// to days planned and not visited): the attainments are then 0 but
	// mean "no figure", and the ranking treats visit_attainment as missing.
	// A day added with zero visits planned is data: it rates the manager.
	PlannedNew, PlannedReturn, DoneNew, DoneReturn int
	TargetNew, TargetReturn                        int
	Attainment, AttainmentNew, AttainmentReturn    float64
	DaysMet                                        int
	VisitsRated                                    bool
	// CadenceKept and CadenceOverdue count customers with a cadence rule;
	// CadenceKeptRate is kept ÷ both, and CadenceRated false when none had
	// a rule.
	CadenceKept, CadenceOverdue int
	CadenceKeptRate             float64
	CadenceRated                bool
	// Pipeline sums Amount × Probability of open deals; Won sums the
	// amounts of deals won (both rounded as BookValue is); OpenDeals, WonDeals and
	// LostDeals count them; WinRate is won ÷ (won + lost), 0 when none closed.
	Pipeline, Won                  crm.Money
	OpenDeals, WonDeals, LostDeals int
	WinRate                        float64
	// Complaints counts complaints; CSAT summarises the answers of those
	// surveyed (Responses 0 when none was).
	Complaints int
	CSAT       CSATResult
	// Score is the weighted ranking score (0–100) and Rank the place in
	// the ranking, 1 for the best.
	Score WeightedScore
	Rank  int
}

// ManagerScorecard accumulates facts, customer by customer and fact by
// fact, into one [ManagerCard] per manager. It keeps only per-manager sums,
// so memory grows with managers and days, not customers. It is not safe for
// concurrent use. A fact that is refused changes nothing.
type ManagerScorecard struct {
	opts    ManagerScorecardOptions
	ranking *WeightedModel
	metrics []ManagerMetric // metric of each ranking indicator
	index   map[crm.UserID]int32
	acc     []managerAcc
	days    map[dayKey]*[4]int // done new, done return, planned new, planned return
}

type dayKey struct {
	manager int32
	y       int32
	yd      int32
}

type managerAcc struct {
	id                                             crm.UserID
	kept, churned, key, cadKept, cadOver           int
	value, pipeline, won                           decimal.Decimal
	plannedNew, plannedReturn, doneNew, doneReturn int
	visitDays                                      int // VisitDays added
	open, wonN, lost, complaints                   int
	csatN, csatSat                                 int
	csatSum                                        float64
}

// NewManagerScorecard validates opts and returns an empty scorecard.
func NewManagerScorecard(opts ManagerScorecardOptions) (*ManagerScorecard, error) {
	const op = "scoring.NewManagerScorecard"
	var v crm.Validator
	v.Check(!opts.Currency.IsZero(), "currency", "is required")
	v.Check(opts.WorkingDays > 0 && opts.WorkingDays <= 366*100, "working_days", "must be between 1 and 36600")
	if opts.VisitTarget == (VisitTarget{}) {
		opts.VisitTarget = VisitTarget{New: 7, Return: 3}
	}
	v.Check(opts.VisitTarget.New >= 0 && opts.VisitTarget.New <= 1000, "visit_target.new", "must be between 0 and 1000")
	v.Check(opts.VisitTarget.Return >= 0 && opts.VisitTarget.Return <= 1000, "visit_target.return", "must be between 0 and 1000")
	sc := CSATScale{Min: 1, Max: 5, SatisfiedFrom: 4}
	if opts.CSATScale != nil && *opts.CSATScale != (CSATScale{}) {
		sc = *opts.CSATScale
	}
	if v.Check(sc.Min < sc.Max, "csat_scale.max", "must be greater than min") {
		v.Check(sc.SatisfiedFrom >= sc.Min && sc.SatisfiedFrom <= sc.Max, "csat_scale.satisfied_from", "must be within min and max")
		v.Check(sc.Min > 0 || sc.Max < 0, "csat_scale", "must not contain 0 (0 means not surveyed)")
	}
	opts.CSATScale = &sc
	ranking := opts.Ranking
	if ranking == nil {
		ranking = DefaultManagerRanking()
	}
	metrics := make([]ManagerMetric, len(ranking.indicators))
	for i, ind := range ranking.indicators {
		m, err := ParseManagerMetric(ind.Name)
		v.Check(err == nil, fmt.Sprintf("ranking.indicators[%d].name", i), fmt.Sprintf("%q is not a manager metric", ind.Name))
		metrics[i] = m
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	return &ManagerScorecard{
		opts: opts, ranking: ranking, metrics: metrics,
		index: make(map[crm.UserID]int32),
		days:  make(map[dayKey]*[4]int),
	}, nil
}

// manager returns the accumulator of id, adding it on first sight.
func (s *ManagerScorecard) manager(op string, id crm.UserID) (*managerAcc, int32, error) {
	if i, ok := s.index[id]; ok {
		return &s.acc[i], i, nil
	}
	if err := id.Validate(); err != nil {
		return nil, 0, fmt.Errorf("%s: manager: %w", op, err)
	}
	if len(s.acc) >= math.MaxInt32 {
		return nil, 0, crm.Invalid(op, "manager", "too many managers")
	}
	i := int32(len(s.acc))
	s.index[id] = i
	s.acc = append(s.acc, managerAcc{id: id})
	return &s.acc[i], i, nil
}

func checkAmount(v *crm.Validator, path string, d decimal.Decimal) {
	v.Check(d.Sign() >= 0, path, "must not be negative")
}

// AddMember adds one customer of a manager's book.
func (s *ManagerScorecard) AddMember(m BookMember) error {
	const op = "scoring.ManagerScorecard.AddMember"
	var v crm.Validator
	checkAmount(&v, "value", m.Value)
	v.Check(m.Cadence <= CadenceOverdue, "cadence", "unknown cadence state")
	if err := v.Err(op); err != nil {
		return err
	}
	a, _, err := s.manager(op, m.Manager)
	if err != nil {
		return err
	}
	if m.Churned {
		a.churned++
		return nil
	}
	a.kept++
	if m.Key {
		a.key++
	}
	if !m.Value.IsZero() {
		a.value = a.value.Add(m.Value)
	}
	switch m.Cadence {
	case CadenceKept:
		a.cadKept++
	case CadenceOverdue:
		a.cadOver++
	}
	return nil
}

// maxDayVisits bounds each count of a VisitDay.
const maxDayVisits = 10000

// AddVisits adds one manager's visits of one day.
func (s *ManagerScorecard) AddVisits(d VisitDay) error {
	const op = "scoring.ManagerScorecard.AddVisits"
	var v crm.Validator
	if v.Check(!d.Day.IsZero(), "day", "is required") {
		v.Check(crm.ValidTime(d.Day), "day", "outside the years 1 to 9999")
	}
	for _, c := range []struct {
		path string
		n    int
	}{{"planned_new", d.PlannedNew}, {"planned_return", d.PlannedReturn}, {"done_new", d.DoneNew}, {"done_return", d.DoneReturn}} {
		v.Check(c.n >= 0 && c.n <= maxDayVisits, c.path, fmt.Sprintf("must be between 0 and %d", maxDayVisits))
	}
	v.Check(d.DoneNew <= d.PlannedNew, "done_new", "must not exceed planned_new (done visits are planned)")
	v.Check(d.DoneReturn <= d.PlannedReturn, "done_return", "must not exceed planned_return (done visits are planned)")
	if err := v.Err(op); err != nil {
		return err
	}
	a, i, err := s.manager(op, d.Manager)
	if err != nil {
		return err
	}
	a.visitDays++
	a.plannedNew += d.PlannedNew
	a.plannedReturn += d.PlannedReturn
	a.doneNew += d.DoneNew
	a.doneReturn += d.DoneReturn
	k := dayKey{manager: i, y: int32(d.Day.Year()), yd: int32(d.Day.YearDay())}
	c := s.days[k]
	if c == nil {
		c = new([4]int)
		s.days[k] = c
	}
	c[0] += d.DoneNew
	c[1] += d.DoneReturn
	c[2] += d.PlannedNew
	c[3] += d.PlannedReturn
	return nil
}

// AddDeal adds one opportunity of a manager.
func (s *ManagerScorecard) AddDeal(d Deal) error {
	const op = "scoring.ManagerScorecard.AddDeal"
	var v crm.Validator
	v.Check(d.Outcome >= DealOpen && d.Outcome <= DealLost, "outcome", "unknown deal outcome")
	checkAmount(&v, "amount", d.Amount)
	if d.Outcome == DealOpen {
		v.Check(d.Probability >= 0 && d.Probability <= 1, "probability", "must be between 0 and 1")
	}
	if err := v.Err(op); err != nil {
		return err
	}
	a, _, err := s.manager(op, d.Manager)
	if err != nil {
		return err
	}
	switch d.Outcome {
	case DealOpen:
		a.open++
		if d.Probability > 0 && !d.Amount.IsZero() {
			a.pipeline = a.pipeline.Add(d.Amount.Mul(decimal.NewFromFloat(d.Probability)))
		}
	case DealWon:
		a.wonN++
		a.won = a.won.Add(d.Amount)
	case DealLost:
		a.lost++
	}
	return nil
}

// AddComplaint adds one complaint of a manager's customer.
func (s *ManagerScorecard) AddComplaint(c ComplaintFact) error {
	const op = "scoring.ManagerScorecard.AddComplaint"
	sc := s.opts.CSATScale
	if c.CSAT != 0 && (c.CSAT < sc.Min || c.CSAT > sc.Max) {
		return crm.Invalid(op, "csat", fmt.Sprintf("%d is outside the scale %d to %d", c.CSAT, sc.Min, sc.Max))
	}
	a, _, err := s.manager(op, c.Manager)
	if err != nil {
		return err
	}
	a.complaints++
	if c.CSAT != 0 {
		a.csatN++
		a.csatSum += float64(c.CSAT)
		if c.CSAT >= sc.SatisfiedFrom {
			a.csatSat++
		}
	}
	return nil
}

// Cards returns one card per manager seen, ranked: by Score.Total, highest
// first, ties by manager ID. With a single manager the score is the
// model's mid value. A metric a manager has no figure for (no customer with
// a cadence rule, no surveyed complaint, no visit day, no book for the
// churn rate) takes the mean of the managers that have one, so the ranking
// neither rewards nor punishes its absence.
// The scorecard may be fed further after Cards.
func (s *ManagerScorecard) Cards() ([]ManagerCard, error) {
	const op = "scoring.ManagerScorecard.Cards"
	if len(s.acc) == 0 {
		return nil, crm.Invalid(op, "", "no facts were added")
	}
	cur := s.opts.Currency
	t := s.opts.VisitTarget
	cards := make([]ManagerCard, len(s.acc))
	for i := range s.acc {
		a := &s.acc[i]
		c := &cards[i]
		c.Manager = a.id
		c.BookSize, c.Churned, c.KeyAccounts = a.kept, a.churned, a.key
		c.ChurnRate = ratio(a.churned, a.kept+a.churned)
		var err error
		if c.BookValue, err = cardMoney(a.value, cur); err == nil {
			if c.Pipeline, err = cardMoney(a.pipeline, cur); err == nil {
				c.Won, err = cardMoney(a.won, cur)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%s: manager %s: %w", op, a.id, err)
		}
		c.PlannedNew, c.PlannedReturn, c.DoneNew, c.DoneReturn = a.plannedNew, a.plannedReturn, a.doneNew, a.doneReturn
		c.TargetNew, c.TargetReturn = t.New*s.opts.WorkingDays, t.Return*s.opts.WorkingDays
		c.Attainment = ratio(a.doneNew+a.doneReturn, c.TargetNew+c.TargetReturn)
		c.AttainmentNew = ratio(a.doneNew, c.TargetNew)
		c.AttainmentReturn = ratio(a.doneReturn, c.TargetReturn)
		c.VisitsRated = a.visitDays > 0
		c.CadenceKept, c.CadenceOverdue = a.cadKept, a.cadOver
		c.CadenceRated = a.cadKept+a.cadOver > 0
		c.CadenceKeptRate = ratio(a.cadKept, a.cadKept+a.cadOver)
		c.OpenDeals, c.WonDeals, c.LostDeals = a.open, a.wonN, a.lost
		c.WinRate = ratio(a.wonN, a.wonN+a.lost)
		c.Complaints = a.complaints
		if a.csatN > 0 {
			c.CSAT = CSATResult{Satisfied: ratio(a.csatSat, a.csatN), Mean: a.csatSum / float64(a.csatN), Responses: a.csatN}
		}
	}
	for k, d := range s.days {
		if d[0] >= t.New && d[1] >= t.Return {
			cards[k.manager].DaysMet++
		}
	}
	if err := s.rank(cards); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	slices.SortFunc(cards, func(a, b ManagerCard) int {
		if c := cmp.Compare(b.Score.Total, a.Score.Total); c != 0 {
			return c
		}
		return cmp.Compare(a.Manager, b.Manager)
	})
	for i := range cards {
		cards[i].Rank = i + 1
	}
	return cards, nil
}

// cardMoney returns the exact sum x as a card's money figure: rounded to
// the currency's minor units, half away from zero.
func cardMoney(x decimal.Decimal, cur crm.Currency) (crm.Money, error) {
	m, err := crm.NewMoney(x, cur)
	if err != nil {
		return crm.Money{}, err
	}
	return m.Round(crm.RoundHalfUp), nil
}

// ratio returns a ÷ b, or 0 when b is 0.
func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// metricValue returns card c's raw value of m, and false when c has none.
func metricValue(c *ManagerCard, m ManagerMetric) (float64, bool) {
	switch m {
	case MetricBookSize:
		return float64(c.BookSize), true
	case MetricBookValue:
		return c.BookValue.Amount().InexactFloat64(), true
	case MetricKeyAccounts:
		return float64(c.KeyAccounts), true
	case MetricVisitAttainment:
		return c.Attainment, c.VisitsRated
	case MetricCadenceKept:
		return c.CadenceKeptRate, c.CadenceRated
	case MetricPipeline:
		return c.Pipeline.Amount().InexactFloat64(), true
	case MetricWonRevenue:
		return c.Won.Amount().InexactFloat64(), true
	case MetricComplaints:
		return float64(c.Complaints), true
	case MetricCSAT:
		return c.CSAT.Mean, c.CSAT.Responses > 0
	case MetricChurnRate:
		return c.ChurnRate, c.BookSize+c.Churned > 0
	}
	return 0, false
}

// rank fills every card's Score with the ranking model.
func (s *ManagerScorecard) rank(cards []ManagerCard) error {
	rows := make([][]float64, len(cards))
	flat := make([]float64, len(cards)*len(s.metrics))
	have := make([]bool, len(flat))
	for i := range cards {
		rows[i] = flat[i*len(s.metrics) : (i+1)*len(s.metrics)]
	}
	for j, m := range s.metrics {
		sum, n := 0.0, 0
		for i := range cards {
			x, ok := metricValue(&cards[i], m)
			if ok && finiteVal(x) {
				rows[i][j], have[i*len(s.metrics)+j] = x, true
				sum += x
				n++
			}
		}
		mean := 0.0
		if n > 0 {
			mean = sum / float64(n)
		}
		for i := range cards {
			if !have[i*len(s.metrics)+j] {
				rows[i][j] = mean
			}
		}
	}
	scores, err := s.ranking.ScoreAll(rows)
	if err != nil {
		return err
	}
	for i := range cards {
		cards[i].Score = scores[i]
	}
	return nil
}
