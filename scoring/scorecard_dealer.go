package scoring

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/crmkit/crm"
)

// DealerFigures are one dealer's figures of the year. Loyalty, referrals
// and suggestions are given as numbers: the host computes them from its
// records (years as a dealer, value of the customers it referred, value of
// its adopted suggestions).
type DealerFigures struct {
	// Dealer identifies the dealer; IDs are unique in a ranking.
	Dealer crm.ID
	// Name is shown as given; it plays no part in the ranking.
	Name string
	// Volume is the year's sales volume (units or money, one unit for all).
	Volume float64
	// Loyalty, Referrals and Suggestions are the figures of the dimensions
	// beyond volume.
	Loyalty, Referrals, Suggestions float64
}

// DealerRank is one dealer's place in the year-end ranking.
type DealerRank struct {
	DealerFigures
	// VolumeRank is the place by volume alone (1 is the largest).
	VolumeRank int
	// Score is the weighted score (0–100) and Rank the place by it.
	Score WeightedScore
	Rank  int
	// Change is VolumeRank − Rank: positive when the weighted model lifts
	// the dealer above its place by volume, negative when it drops it.
	Change int
}

// dealerIndicators are the indicator names a dealer model may use, and the
// figure each reads.
var dealerIndicators = map[string]func(DealerFigures) float64{
	"volume":     func(d DealerFigures) float64 { return d.Volume },
	"loyalty":    func(d DealerFigures) float64 { return d.Loyalty },
	"referral":   func(d DealerFigures) float64 { return d.Referrals },
	"suggestion": func(d DealerFigures) float64 { return d.Suggestions },
}

// DefaultDealerModel returns the weighted model [RankDealers] uses when
// given nil: volume is the financial dimension (0.5), loyalty (0.5) and
// referrals (0.5) the market dimension (0.3), suggestions the management
// dimension (0.2); every indicator is normalised by mid-rank. A host
// passes its own [WeightedModel] whose indicators are named "volume",
// "loyalty", "referral" and "suggestion" (any subset).
func DefaultDealerModel() *WeightedModel {
	m, err := NewWeightedModel(DimensionWeights{Financial: 0.5, Market: 0.3, Management: 0.2}, []Indicator{
		{Name: "volume", Dimension: Financial, Weight: 1, Normalization: NormalizeRank},
		{Name: "loyalty", Dimension: Market, Weight: 0.5, Normalization: NormalizeRank},
		{Name: "referral", Dimension: Market, Weight: 0.5, Normalization: NormalizeRank},
		{Name: "suggestion", Dimension: Management, Weight: 1, Normalization: NormalizeRank},
	})
	if err != nil {
		panic(err) // the figures above are constants
	}
	return m
}

// RankDealers ranks dealers for the year-end evaluation twice: by volume
// alone, and by model (nil means [DefaultDealerModel]), and reports each
// dealer's change of place. The result is in weighted order: by score,
// highest first, then by volume, highest first, then by dealer ID; the
// volume ranking orders by volume, then by the same ID. Places are 1..n
// with no shared places, so every change is explained by the order. It
// refuses no dealers, a zero or repeated ID, figures that are negative or
// not finite, and a model with an indicator it does not know.
func RankDealers(dealers []DealerFigures, model *WeightedModel) ([]DealerRank, error) {
	const op = "scoring.RankDealers"
	if model == nil {
		model = DefaultDealerModel()
	}
	var v crm.Validator
	v.Check(len(dealers) > 0, "dealers", "must not be empty")
	read := make([]func(DealerFigures) float64, len(model.indicators))
	for i, ind := range model.indicators {
		read[i] = dealerIndicators[ind.Name]
		v.Check(read[i] != nil, fmt.Sprintf("model.indicators[%d].name", i), fmt.Sprintf("%q is not a dealer figure (volume, loyalty, referral, suggestion)", ind.Name))
	}
	seen := make(map[crm.ID]bool, len(dealers))
	for i, d := range dealers {
		p := fmt.Sprintf("dealers[%d]", i)
		if v.Check(!d.Dealer.IsZero(), p+".dealer", "is required") {
			v.Check(!seen[d.Dealer], p+".dealer", "repeats "+d.Dealer.String())
			seen[d.Dealer] = true
		}
		for _, f := range []struct {
			name string
			x    float64
		}{{"volume", d.Volume}, {"loyalty", d.Loyalty}, {"referrals", d.Referrals}, {"suggestions", d.Suggestions}} {
			if v.Check(finiteVal(f.x), p+"."+f.name, "must be a finite number") {
				v.Check(f.x >= 0, p+"."+f.name, "must not be negative")
			}
		}
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	rows := make([][]float64, len(dealers))
	for c, d := range dealers {
		rows[c] = make([]float64, len(read))
		for i, r := range read {
			rows[c][i] = r(d)
		}
	}
	scores, err := model.ScoreAll(rows)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	out := make([]DealerRank, len(dealers))
	for i, d := range dealers {
		out[i] = DealerRank{DealerFigures: d, Score: scores[i]}
	}
	byVolume := func(a, b DealerRank) int {
		if c := cmp.Compare(b.Volume, a.Volume); c != 0 {
			return c
		}
		return a.Dealer.Compare(b.Dealer)
	}
	slices.SortFunc(out, byVolume)
	for i := range out {
		out[i].VolumeRank = i + 1
	}
	slices.SortFunc(out, func(a, b DealerRank) int {
		if c := cmp.Compare(b.Score.Total, a.Score.Total); c != 0 {
			return c
		}
		return byVolume(a, b)
	})
	for i := range out {
		out[i].Rank = i + 1
		out[i].Change = out[i].VolumeRank - out[i].Rank
	}
	return out, nil
}
