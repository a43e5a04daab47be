package scoring

import (
	"fmt"
	"math"

	"github.com/crmkit/crm"
)

// Rates are returned as fractions (0.85 for 85%) unless a KPI is defined on
// another scale (NPS runs from −100 to 100).

// RetentionRate returns the share of the customers at the start of a period
// still customers at its end: (atEnd − acquired) / atStart, where acquired
// counts the new customers won during the period (who are in atEnd but were
// not in atStart). Its complement 1 − RetentionRate is the churn rate. It
// refuses negative counts, atStart of 0, acquired above atEnd, and more
// retained customers than there were at the start.
func RetentionRate(atStart, atEnd, acquired int) (float64, error) {
	var v crm.Validator
	v.Check(atStart > 0, "at_start", "must be positive")
	v.Check(atEnd >= 0, "at_end", "must not be negative")
	if v.Check(acquired >= 0, "acquired", "must not be negative") && atEnd >= 0 {
		if v.Check(acquired <= atEnd, "acquired", "must not exceed at_end") && atStart > 0 {
			v.Check(atEnd-acquired <= atStart, "at_end", "at_end − acquired must not exceed at_start")
		}
	}
	if err := v.Err("scoring.RetentionRate"); err != nil {
		return 0, err
	}
	return float64(atEnd-acquired) / float64(atStart), nil
}

// AcquisitionRate returns acquired / base: with base the prospects targeted
// it is the share won; with base the customers at the start of the period
// it is the growth of the base from new customers (and may exceed 1). It
// refuses a negative acquired count and a base that is not positive.
func AcquisitionRate(acquired, base int) (float64, error) {
	var v crm.Validator
	v.Check(acquired >= 0, "acquired", "must not be negative")
	v.Check(base > 0, "base", "must be positive")
	if err := v.Err("scoring.AcquisitionRate"); err != nil {
		return 0, err
	}
	return float64(acquired) / float64(base), nil
}

// SalesGrowth returns (current − previous) / previous: 0.1 for 10% growth,
// negative for a decline. It refuses non-finite input, a previous value that
// is not positive, and a result beyond the float64 range.
func SalesGrowth(previous, current float64) (float64, error) {
	const op = "scoring.SalesGrowth"
	var v crm.Validator
	v.Check(finiteVal(previous) && previous > 0, "previous", "must be a positive finite number")
	v.Check(finiteVal(current), "current", "must be a finite number")
	if err := v.Err(op); err != nil {
		return 0, err
	}
	g := current/previous - 1
	if !finiteVal(g) {
		return 0, crm.Invalid(op, "", "growth overflows float64")
	}
	return g, nil
}

// ForecastErrors measure a forecast against what happened.
type ForecastErrors struct {
	// MAPE is the mean absolute percentage error as a fraction,
	// mean(|F−A| / |A|), over the periods with a non-zero actual.
	MAPE float64
	// MAPEPeriods is the number of periods MAPE averages (periods with an
	// actual of 0 have no percentage error and are left out).
	MAPEPeriods int
	// WAPE is the weighted absolute percentage error, Σ|F−A| / Σ|A|,
	// which copes with small actuals.
	WAPE float64
	// Bias is the mean error, mean(F − A): positive when the forecast ran
	// high.
	Bias float64
	// BiasRatio is Σ(F − A) / Σ|A|, the bias relative to volume.
	BiasRatio float64
}

// ForecastAccuracy compares forecast[i] with actual[i] for each period. It
// refuses empty or unequal slices, non-finite values, actuals that are all
// zero, and sums beyond the float64 range.
func ForecastAccuracy(actual, forecast []float64) (ForecastErrors, error) {
	const op = "scoring.ForecastAccuracy"
	var v crm.Validator
	v.Check(len(actual) > 0, "actual", "must not be empty")
	if len(forecast) != len(actual) {
		v.Addf("forecast", "has %d periods, actual has %d", len(forecast), len(actual))
	}
	for i, a := range actual {
		if !finiteVal(a) {
			v.Addf(fmt.Sprintf("actual[%d]", i), "must be a finite number")
			break
		}
	}
	for i, f := range forecast {
		if !finiteVal(f) {
			v.Addf(fmt.Sprintf("forecast[%d]", i), "must be a finite number")
			break
		}
	}
	if err := v.Err(op); err != nil {
		return ForecastErrors{}, err
	}
	var ape, absErr, absAct, errSum float64
	var r ForecastErrors
	for i, a := range actual {
		e := forecast[i] - a
		errSum += e
		absErr += math.Abs(e)
		absAct += math.Abs(a)
		if a != 0 {
			ape += math.Abs(e / a)
			r.MAPEPeriods++
		}
	}
	if absAct == 0 {
		return ForecastErrors{}, crm.Invalid(op, "actual", "all actuals are 0: percentage errors are undefined")
	}
	r.MAPE = ape / float64(r.MAPEPeriods)
	r.WAPE = absErr / absAct
	r.Bias = errSum / float64(len(actual))
	r.BiasRatio = errSum / absAct
	if !finiteVal(r.MAPE) || !finiteVal(r.WAPE) || !finiteVal(r.Bias) || !finiteVal(r.BiasRatio) {
		return ForecastErrors{}, crm.Invalid(op, "", "errors overflow float64")
	}
	return r, nil
}

// CSATScale describes a satisfaction survey scale. The zero value means
// 1 to 5 with 4 and 5 counting as satisfied.
type CSATScale struct {
	// Min and Max bound the answers.
	Min, Max int
	// SatisfiedFrom is the lowest answer that counts as satisfied.
	SatisfiedFrom int
}

// CSATResult summarises satisfaction answers.
type CSATResult struct {
	// Satisfied is the share of answers at or above the scale's
	// SatisfiedFrom (the CSAT score, as a fraction).
	Satisfied float64
	// Mean is the average answer.
	Mean float64
	// Responses is the number of answers.
	Responses int
}

// CSAT summarises customer satisfaction answers on scale (nil means 1–5,
// satisfied from 4). It refuses an invalid scale, no answers, and answers
// outside the scale.
func CSAT(answers []int, scale *CSATScale) (CSATResult, error) {
	const op = "scoring.CSAT"
	sc := CSATScale{Min: 1, Max: 5, SatisfiedFrom: 4}
	if scale != nil && *scale != (CSATScale{}) {
		sc = *scale
	}
	var v crm.Validator
	if v.Check(sc.Min < sc.Max, "scale.max", "must be greater than min") {
		v.Check(sc.SatisfiedFrom >= sc.Min && sc.SatisfiedFrom <= sc.Max, "scale.satisfied_from", "must be within min and max")
	}
	v.Check(len(answers) > 0, "answers", "must not be empty")
	if err := v.Err(op); err != nil {
		return CSATResult{}, err
	}
	var sat int
	var sum float64
	for i, a := range answers {
		if a < sc.Min || a > sc.Max {
			return CSATResult{}, crm.Invalid(op, fmt.Sprintf("answers[%d]", i), fmt.Sprintf("%d is outside the scale %d to %d", a, sc.Min, sc.Max))
		}
		if a >= sc.SatisfiedFrom {
			sat++
		}
		sum += float64(a)
	}
	n := float64(len(answers))
	return CSATResult{Satisfied: float64(sat) / n, Mean: sum / n, Responses: len(answers)}, nil
}

// NPSResult is a Net Promoter Score with its parts.
type NPSResult struct {
	// Score is the NPS, from −100 to 100: the percentage of promoters minus
	// the percentage of detractors.
	Score float64
	// Promoters answered 9 or 10, Passives 7 or 8, Detractors 0 to 6.
	Promoters, Passives, Detractors int
}

// NPS computes the Net Promoter Score from answers on the 0–10 "would you
// recommend us" scale. It refuses no answers and answers outside 0–10.
func NPS(answers []int) (NPSResult, error) {
	const op = "scoring.NPS"
	if len(answers) == 0 {
		return NPSResult{}, crm.Invalid(op, "answers", "must not be empty")
	}
	var r NPSResult
	for i, a := range answers {
		switch {
		case a < 0 || a > 10:
			return NPSResult{}, crm.Invalid(op, fmt.Sprintf("answers[%d]", i), fmt.Sprintf("%d is outside 0 to 10", a))
		case a >= 9:
			r.Promoters++
		case a >= 7:
			r.Passives++
		default:
			r.Detractors++
		}
	}
	return NPSFromCounts(r.Promoters, r.Passives, r.Detractors)
}

// NPSFromCounts computes the Net Promoter Score from the counts of
// promoters, passives and detractors. It refuses negative counts and a
// total of 0.
func NPSFromCounts(promoters, passives, detractors int) (NPSResult, error) {
	var v crm.Validator
	v.Check(promoters >= 0, "promoters", "must not be negative")
	v.Check(passives >= 0, "passives", "must not be negative")
	v.Check(detractors >= 0, "detractors", "must not be negative")
	if err := v.Err("scoring.NPSFromCounts"); err != nil {
		return NPSResult{}, err
	}
	n := float64(promoters) + float64(passives) + float64(detractors)
	if n == 0 {
		return NPSResult{}, crm.Invalid("scoring.NPSFromCounts", "", "no answers")
	}
	return NPSResult{
		Score:     100 * (float64(promoters) - float64(detractors)) / n,
		Promoters: promoters, Passives: passives, Detractors: detractors,
	}, nil
}

// OnTimeRate returns the share of orders delivered on time (or accurate,
// for an accuracy rate): onTime / total. It refuses negative counts, a
// total of 0, and onTime above total.
func OnTimeRate(onTime, total int) (float64, error) {
	return shareOf("scoring.OnTimeRate", "on_time", onTime, total)
}

// shareOf returns part/total for 0 ≤ part ≤ total, total > 0.
func shareOf(op, partName string, part, total int) (float64, error) {
	var v crm.Validator
	v.Check(part >= 0, partName, "must not be negative")
	if v.Check(total > 0, "total", "must be positive") && part >= 0 {
		v.Check(part <= total, partName, "must not exceed total")
	}
	if err := v.Err(op); err != nil {
		return 0, err
	}
	return float64(part) / float64(total), nil
}

// ReceivablesTurnover returns net credit sales / average accounts
// receivable for a period: how many times receivables were collected. The
// average is usually (receivables at start + at end) / 2. It refuses
// non-finite input, negative sales, an average that is not positive, and a
// result beyond the float64 range.
func ReceivablesTurnover(netCreditSales, averageReceivables float64) (float64, error) {
	const op = "scoring.ReceivablesTurnover"
	var v crm.Validator
	v.Check(finiteVal(netCreditSales) && netCreditSales >= 0, "net_credit_sales", "must be a finite number, at least 0")
	v.Check(finiteVal(averageReceivables) && averageReceivables > 0, "average_receivables", "must be a positive finite number")
	if err := v.Err(op); err != nil {
		return 0, err
	}
	t := netCreditSales / averageReceivables
	if !finiteVal(t) {
		return 0, crm.Invalid(op, "", "turnover overflows float64")
	}
	return t, nil
}

// CollectionDays converts a receivables turnover into the average number of
// days to collect (days sales outstanding): periodDays / turnover, with
// periodDays the length of the turnover's period (365 for a year). It
// refuses a turnover or period that is not positive and finite, and a
// result beyond the float64 range.
func CollectionDays(turnover, periodDays float64) (float64, error) {
	const op = "scoring.CollectionDays"
	var v crm.Validator
	v.Check(finiteVal(turnover) && turnover > 0, "turnover", "must be a positive finite number")
	v.Check(finiteVal(periodDays) && periodDays > 0, "period_days", "must be a positive finite number")
	if err := v.Err(op); err != nil {
		return 0, err
	}
	d := periodDays / turnover
	if !finiteVal(d) {
		return 0, crm.Invalid(op, "", "days overflow float64")
	}
	return d, nil
}

// ProfitMargin returns profit / revenue. It refuses non-finite input and a
// revenue that is not positive.
func ProfitMargin(profit, revenue float64) (float64, error) {
	const op = "scoring.ProfitMargin"
	var v crm.Validator
	v.Check(finiteVal(profit), "profit", "must be a finite number")
	v.Check(finiteVal(revenue) && revenue > 0, "revenue", "must be a positive finite number")
	if err := v.Err(op); err != nil {
		return 0, err
	}
	m := profit / revenue
	if !finiteVal(m) {
		return 0, crm.Invalid(op, "", "margin overflows float64")
	}
	return m, nil
}

// MarketShare returns own sales / total market sales. It refuses
// non-finite input, negative own sales, a market that is not positive, and
// own sales above the market.
func MarketShare(own, market float64) (float64, error) {
	var v crm.Validator
	v.Check(finiteVal(own) && own >= 0, "own", "must be a finite number, at least 0")
	if v.Check(finiteVal(market) && market > 0, "market", "must be a positive finite number") && finiteVal(own) {
		v.Check(own <= market, "own", "must not exceed market")
	}
	if err := v.Err("scoring.MarketShare"); err != nil {
		return 0, err
	}
	return own / market, nil
}
