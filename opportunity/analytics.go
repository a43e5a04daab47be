package opportunity

import (
	"cmp"
	"fmt"
	"iter"
	"math"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/scoring"
)

// Deal is an opportunity as a plain row: the input of the analytics, which
// need no store. [Opportunity.Deal] builds one; a host may as well fill
// Deals from its own reporting tables.
type Deal struct {
	ID       crm.ID
	Owner    crm.UserID
	Team     string
	Pipeline string
	Stage    string
	Status   Status
	Category ForecastCategory
	Source   SourceKind
	Segment  string
	Amount   crm.Money
	// Probability is the win probability in [0, 1].
	Probability float64
	// CloseDate is the expected close date while open; the contract date
	// (won) or the closing day (lost) once closed.
	CloseDate  calendar.Date
	CreatedAt  time.Time
	StageSince time.Time
	ClosedAt   time.Time
	// LostReason is the lost reason of a lost deal.
	LostReason string
	// Winner is the competitor that won a lost deal, "" when none.
	Winner string
	// Competitors names every competitor recorded on the deal.
	Competitors []string
}

// Deal returns the opportunity as an analytics row.
func (o *Opportunity) Deal() Deal {
	d := Deal{
		ID: o.id, Owner: o.owner, Team: o.team, Pipeline: o.pipeline, Stage: o.stage, Status: o.status,
		Category: o.ForecastCategory(), Source: o.source.Kind, Segment: o.segment, Amount: o.amount,
		Probability: o.Probability(), CloseDate: o.closeDate, CreatedAt: o.createdAt, StageSince: o.stageSince,
		ClosedAt: o.closedAt,
	}
	switch {
	case o.won != nil:
		d.CloseDate = o.won.ContractDate
	case o.lost != nil:
		d.CloseDate = calendar.DateOf(o.closedAt)
		d.LostReason, d.Winner = o.lost.Reason, o.lost.Competitor
	}
	for _, c := range o.competitors {
		d.Competitors = append(d.Competitors, c.Name)
	}
	return d
}

// minor returns m in minor units of c, with the problems a caller can
// branch on: crm.ErrCurrencyMismatch for another currency, crm.ErrInvalid
// otherwise.
func minor(op string, i int, m crm.Money, c crm.Currency) (int64, error) {
	if m.Currency() != c {
		return 0, fmt.Errorf("opportunity: %s: deal %d: amount in %s, want %s: %w", op, i, m.Currency(), c, crm.ErrCurrencyMismatch)
	}
	n, err := m.MinorUnits()
	if err != nil {
		return 0, fmt.Errorf("opportunity: %s: deal %d: %w", op, i, err)
	}
	return n, nil
}

// ForecastOptions configure [WeightedForecast].
type ForecastOptions struct {
	// Currency of every deal. Required: a deal in another currency is an
	// error matching crm.ErrCurrencyMismatch (convert first).
	Currency crm.Currency
	// By is the dimension to group by: period, owner, team, stage or
	// category. Zero means by category.
	By Dimension
	// Then, when set, splits each group by a second dimension (one of the
	// same five, other than By): by owner then period gives each owner's
	// forecast per quarter.
	Then Dimension
	// Period is the length of a period when By or Then is ByPeriod; zero
	// means a quarter. Deals without a close date fall in the period "none".
	Period Period
}

// ForecastRow is one group of a weighted forecast.
type ForecastRow struct {
	// Key is the group: "2026-Q3", "2026-07" or "2026" for periods, else
	// the owner, team, stage or category name.
	Key string
	// Sub is the group within Key by the Then dimension ("" without one).
	Sub string
	// Count is the number of deals.
	Count int
	// Amount is the sum of the amounts, exact.
	Amount crm.Money
	// Weighted is Σ amount × probability, rounded to the minor unit.
	Weighted crm.Money
}

type groupKey struct {
	s    string
	y, n int
}

type groupKey2 struct{ a, b groupKey }

type forecastAcc struct {
	count    int
	amount   int64
	weighted float64 // Neumaier-compensated sum: weighted + comp
	comp     float64
}

// addWeighted adds x to the compensated sum.
func (g *forecastAcc) addWeighted(x float64) {
	t := g.weighted + x
	if math.Abs(g.weighted) >= math.Abs(x) {
		g.comp += (g.weighted - t) + x
	} else {
		g.comp += (x - t) + g.weighted
	}
	g.weighted = t
}

// WeightedForecast sums the deals that are not lost, each weighted by its
// win probability (won deals count in full, under category closed), grouped
// by opts.By, ordered by key. Amounts are summed exactly in minor units;
// weighted sums are computed in float64 with compensated summation and
// rounded to the minor unit.
// A deal with a probability outside [0, 1] or an invalid amount is an
// error matching crm.ErrInvalid; nothing is returned then.
func WeightedForecast(deals iter.Seq[Deal], opts ForecastOptions) ([]ForecastRow, error) {
	const op = "weighted forecast"
	if opts.By == 0 {
		opts.By = ByCategory
	}
	if opts.Period == 0 {
		opts.Period = Quarter
	}
	var v crm.Validator
	v.Check(!opts.Currency.IsZero(), "currency", "must be set")
	forecastDims := []Dimension{ByPeriod, ByOwner, ByTeam, ByStage, ByCategory}
	v.Check(slices.Contains(forecastDims, opts.By), "by", "must be period, owner, team, stage or category")
	v.Check(opts.Then == 0 || (slices.Contains(forecastDims, opts.Then) && opts.Then != opts.By), "then",
		"must be period, owner, team, stage or category, other than by")
	v.Check(opts.Period.Valid(), "period", "unknown period")
	if err := v.Err("opportunity.WeightedForecast"); err != nil {
		return nil, err
	}
	groups := make(map[groupKey2]*forecastAcc)
	i := -1
	for d := range deals {
		i++
		if d.Status == Lost {
			continue
		}
		p := d.Probability
		if d.Status == Won {
			p = 1
		}
		if !validProbability(p) {
			return nil, crm.Invalid("opportunity.WeightedForecast", fmt.Sprintf("deals[%d].probability", i), "must be in [0, 1]")
		}
		a, err := minor(op, i, d.Amount, opts.Currency)
		if err != nil {
			return nil, err
		}
		k := groupKey2{a: forecastKey(d, opts.By, opts.Period)}
		if opts.Then != 0 {
			k.b = forecastKey(d, opts.Then, opts.Period)
		}
		g := groups[k]
		if g == nil {
			g = &forecastAcc{}
			groups[k] = g
		}
		sum, ok := addMinor(g.amount, a)
		if !ok {
			return nil, crm.Invalid("opportunity.WeightedForecast", "", "sum of amounts overflows")
		}
		g.amount = sum
		g.count++
		g.addWeighted(float64(a) * p)
	}
	rows := make([]ForecastRow, 0, len(groups))
	keys := make([]groupKey2, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	cmpKey := func(a, b groupKey) int {
		return cmp.Or(cmp.Compare(a.s, b.s), cmp.Compare(a.y, b.y), cmp.Compare(a.n, b.n))
	}
	slices.SortFunc(keys, func(a, b groupKey2) int { return cmp.Or(cmpKey(a.a, b.a), cmpKey(a.b, b.b)) })
	for _, k := range keys {
		g := groups[k]
		amount, err := crm.MoneyFromMinor(g.amount, opts.Currency)
		if err != nil {
			return nil, err
		}
		w, err := crm.MoneyFromMinor(int64(math.Round(g.weighted+g.comp)), opts.Currency)
		if err != nil {
			return nil, err
		}
		row := ForecastRow{Key: keyText(k.a, opts.By, opts.Period), Count: g.count, Amount: amount, Weighted: w}
		if opts.Then != 0 {
			row.Sub = keyText(k.b, opts.Then, opts.Period)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func forecastKey(d Deal, by Dimension, period Period) groupKey {
	switch by {
	case ByPeriod:
		if d.CloseDate == (calendar.Date{}) {
			return groupKey{s: "none"}
		}
		switch period {
		case Month:
			return groupKey{y: d.CloseDate.Year, n: int(d.CloseDate.Month)}
		case Quarter:
			return groupKey{y: d.CloseDate.Year, n: (int(d.CloseDate.Month)-1)/3 + 1}
		}
		return groupKey{y: d.CloseDate.Year}
	case ByOwner:
		return groupKey{s: string(d.Owner)}
	case ByTeam:
		return groupKey{s: d.Team}
	case ByStage:
		return groupKey{s: d.Stage}
	}
	return groupKey{n: int(d.Category)}
}

func keyText(k groupKey, by Dimension, period Period) string {
	switch by {
	case ByPeriod:
		switch {
		case k.s != "":
			return k.s
		case period == Month:
			return fmt.Sprintf("%04d-%02d", k.y, k.n)
		case period == Quarter:
			return fmt.Sprintf("%04d-Q%d", k.y, k.n)
		}
		return fmt.Sprintf("%04d", k.y)
	case ByCategory:
		return ForecastCategory(k.n).String()
	}
	return k.s
}

// WinLossRow is one group of a win/loss analysis.
type WinLossRow struct {
	Key        string
	Won, Lost  int
	WinRate    float64 // Won / (Won + Lost); 0 for a group of lost reasons
	WonAmount  crm.Money
	LostAmount crm.Money
}

// WinLoss counts won and lost deals (open deals are skipped) grouped by:
//   - ByReason: lost deals by lost reason (won deals have none and are left out);
//   - ByCompetitor: each deal under every competitor recorded on it, so a
//     row says how often we win when that competitor is in the running;
//     deals without competitors under "";
//   - BySource, ByOwner, BySegment, ByTeam, ByStage (the stage closed from
//     is not on a Deal: ByStage groups by "won"/"lost").
//
// Rows are ordered by key. Amounts must be in currency.
func WinLoss(deals iter.Seq[Deal], by Dimension, currency crm.Currency) ([]WinLossRow, error) {
	var v crm.Validator
	v.Check(!currency.IsZero(), "currency", "must be set")
	v.Check(slices.Contains([]Dimension{ByReason, ByCompetitor, BySource, ByOwner, BySegment, ByTeam, ByStage}, by),
		"by", "must be reason, competitor, source, owner, segment, team or stage")
	if err := v.Err("opportunity.WinLoss"); err != nil {
		return nil, err
	}
	type acc struct {
		won, lost             int
		wonAmount, lostAmount int64
	}
	groups := make(map[string]*acc)
	overflow := false
	add := func(key string, won bool, a int64) {
		g := groups[key]
		if g == nil {
			g = &acc{}
			groups[key] = g
		}
		var ok bool
		if won {
			g.won++
			g.wonAmount, ok = addMinor(g.wonAmount, a)
		} else {
			g.lost++
			g.lostAmount, ok = addMinor(g.lostAmount, a)
		}
		overflow = overflow || !ok
	}
	i := -1
	for d := range deals {
		i++
		if !d.Status.Closed() {
			continue
		}
		a, err := minor("win/loss", i, d.Amount, currency)
		if err != nil {
			return nil, err
		}
		won := d.Status == Won
		switch by {
		case ByReason:
			if !won {
				add(d.LostReason, false, a)
			}
		case ByCompetitor:
			if len(d.Competitors) == 0 {
				add("", won, a)
			}
			for _, c := range d.Competitors {
				add(c, won, a)
			}
		case BySource:
			add(d.Source.String(), won, a)
		case ByOwner:
			add(string(d.Owner), won, a)
		case BySegment:
			add(d.Segment, won, a)
		case ByTeam:
			add(d.Team, won, a)
		case ByStage:
			add(d.Stage, won, a)
		}
	}
	if overflow {
		return nil, crm.Invalid("opportunity.WinLoss", "", "sum of amounts overflows")
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	rows := make([]WinLossRow, 0, len(keys))
	for _, k := range keys {
		g := groups[k]
		wa, err1 := crm.MoneyFromMinor(g.wonAmount, currency)
		la, err2 := crm.MoneyFromMinor(g.lostAmount, currency)
		if err1 != nil || err2 != nil {
			return nil, crm.Invalid("opportunity.WinLoss", "", "amounts out of range")
		}
		r := WinLossRow{Key: k, Won: g.won, Lost: g.lost, WonAmount: wa, LostAmount: la}
		if by != ByReason {
			r.WinRate = float64(g.won) / float64(g.won+g.lost)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// Velocity holds the four factors of sales velocity.
type Velocity struct {
	// Opportunities is the number of open opportunities.
	Opportunities int
	// WinRate is won / (won + lost) over the closed deals.
	WinRate float64
	// AverageDeal is the mean amount of the won deals.
	AverageDeal crm.Money
	// CycleDays is the mean number of days from creation to winning.
	CycleDays float64
	// PerDay is Opportunities × WinRate × AverageDeal ÷ CycleDays: the
	// revenue the pipeline makes per day, rounded to the minor unit.
	PerDay crm.Money
}

// SalesVelocity computes the velocity factors from deals: the open ones
// are counted, the closed ones give the win rate, and the won ones the
// average deal and the cycle length. Without a won deal the velocity is
// zero.
func SalesVelocity(deals iter.Seq[Deal], currency crm.Currency) (Velocity, error) {
	if currency.IsZero() {
		return Velocity{}, crm.Invalid("opportunity.SalesVelocity", "currency", "must be set")
	}
	var open, won, lost int
	var wonSum int64
	var cycle float64
	i := -1
	for d := range deals {
		i++
		switch d.Status {
		case Open:
			open++
		case Lost:
			lost++
		case Won:
			a, err := minor("sales velocity", i, d.Amount, currency)
			if err != nil {
				return Velocity{}, err
			}
			won++
			var ok bool
			if wonSum, ok = addMinor(wonSum, a); !ok {
				return Velocity{}, crm.Invalid("opportunity.SalesVelocity", "", "sum of amounts overflows")
			}
			cycle += d.ClosedAt.Sub(d.CreatedAt).Hours() / 24
		}
	}
	v := Velocity{Opportunities: open, AverageDeal: crm.Zero(currency), PerDay: crm.Zero(currency)}
	if won == 0 {
		return v, nil
	}
	v.WinRate = float64(won) / float64(won+lost)
	avg := float64(wonSum) / float64(won)
	v.AverageDeal, _ = crm.MoneyFromMinor(int64(math.Round(avg)), currency)
	v.CycleDays = cycle / float64(won)
	if v.CycleDays <= 0 {
		return Velocity{}, crm.Invalid("opportunity.SalesVelocity", "cycle_days", "won deals closed no later than they were created")
	}
	v.PerDay, _ = crm.MoneyFromMinor(int64(math.Round(float64(open)*v.WinRate*avg/v.CycleDays)), currency)
	return v, nil
}

// StageTime summarises the time opportunities spent in one stage.
type StageTime struct {
	Team, Stage string
	// Count is the number of stays (an opportunity back in a stage counts
	// again).
	Count int
	// Median and P90 are in calendar time; MedianBusiness and
	// P90Business in business time on the pipeline's calendar.
	Median, P90                 time.Duration
	MedianBusiness, P90Business time.Duration
}

// TimeInStage summarises, per team and stage left, the time spent in the
// stage before each change (creation records are skipped), ordered by team
// then stage. Percentiles are nearest-rank.
func TimeInStage(changes iter.Seq[StageChange]) []StageTime {
	type key struct{ team, stage string }
	cal := make(map[key][]time.Duration)
	bus := make(map[key][]time.Duration)
	for c := range changes {
		if c.From == "" {
			continue
		}
		k := key{c.Team, c.From}
		cal[k] = append(cal[k], c.InStage)
		bus[k] = append(bus[k], c.InStageBusiness)
	}
	out := make([]StageTime, 0, len(cal))
	for k, ds := range cal {
		bs := bus[k]
		slices.Sort(ds)
		slices.Sort(bs)
		out = append(out, StageTime{Team: k.team, Stage: k.stage, Count: len(ds),
			Median: rank(ds, 0.5), P90: rank(ds, 0.9), MedianBusiness: rank(bs, 0.5), P90Business: rank(bs, 0.9)})
	}
	slices.SortFunc(out, func(a, b StageTime) int { return cmp.Or(cmp.Compare(a.Team, b.Team), cmp.Compare(a.Stage, b.Stage)) })
	return out
}

// rank returns the nearest-rank q-quantile of sorted s.
func rank[T any](s []T, q float64) T {
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

// Stale returns the open deals that have been in their stage longer than
// the stage's StaleAfter at now, longest first. Each deal is judged by the
// pipeline whose Code is its Pipeline; deals of other pipelines are
// skipped.
func Stale(deals iter.Seq[Deal], pipelines []*Pipeline, now time.Time) []Deal {
	byCode := make(map[string]*Pipeline, len(pipelines))
	for _, p := range pipelines {
		if p != nil {
			byCode[p.Code] = p
		}
	}
	var out []Deal
	for d := range deals {
		p := byCode[d.Pipeline]
		if d.Status != Open || p == nil {
			continue
		}
		if s, ok := p.Stage(d.Stage); ok && s.StaleAfter > 0 && now.Sub(d.StageSince) > s.StaleAfter {
			out = append(out, d)
		}
	}
	slices.SortStableFunc(out, func(a, b Deal) int { return a.StageSince.Compare(b.StageSince) })
	return out
}

// ForecastAccuracy compares the forecast of each period with what was
// actually won, with scoring's KPI ([scoring.ForecastAccuracy]: MAPE, WAPE
// and bias). Both lists are in currency and have one entry per period.
func ForecastAccuracy(forecast, actual []crm.Money, currency crm.Currency) (scoring.ForecastErrors, error) {
	if currency.IsZero() {
		return scoring.ForecastErrors{}, crm.Invalid("opportunity.ForecastAccuracy", "currency", "must be set")
	}
	conv := func(name string, ms []crm.Money) ([]float64, error) {
		out := make([]float64, len(ms))
		for i, m := range ms {
			if m.Currency() != currency {
				return nil, fmt.Errorf("opportunity: forecast accuracy: %s[%d] in %s, want %s: %w", name, i, m.Currency(), currency, crm.ErrCurrencyMismatch)
			}
			out[i] = m.Amount().InexactFloat64()
		}
		return out, nil
	}
	f, err := conv("forecast", forecast)
	if err != nil {
		return scoring.ForecastErrors{}, err
	}
	a, err := conv("actual", actual)
	if err != nil {
		return scoring.ForecastErrors{}, err
	}
	r, err := scoring.ForecastAccuracy(a, f)
	if err != nil {
		return scoring.ForecastErrors{}, fmt.Errorf("opportunity: forecast accuracy: %w", err)
	}
	return r, nil
}

// addMinor returns a + b and whether it did not overflow.
func addMinor(a, b int64) (int64, bool) {
	s := a + b
	return s, (b >= 0) == (s >= a)
}
