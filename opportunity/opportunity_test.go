package opportunity_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/opportunity"
)

func TestNew(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	o := newOpp(t, p)
	require.Equal(t, opportunity.Open, o.Status())
	require.Equal(t, "qualify", o.Stage())
	require.Equal(t, "east", o.Team(), "team defaults to the pipeline's")
	require.Equal(t, 0.1, o.Probability())
	require.Equal(t, opportunity.CategoryPipeline, o.ForecastCategory())
	require.True(t, o.Amount().Equal(crm.Zero(cny)))
	ch := o.PendingChanges()
	require.Len(t, ch, 1)
	require.Equal(t, opportunity.StageChange{Opportunity: idOpp, Seq: 1, Team: "east", Pipeline: "enterprise",
		From: "", To: "qualify", At: t0, Actor: "sales-wang"}, ch[0])
	ev := o.Events()
	require.Len(t, ev, 1)
	require.Equal(t, opportunity.EventCreated, ev[0].Type)
	require.Equal(t, opportunity.Created{Customer: idCust, Owner: "sales-wang", Team: "east", Pipeline: "enterprise",
		Stage: "qualify", Source: opportunity.Source{Kind: opportunity.FromLead, Lead: idLead}}, ev[0].Data)
}

func TestNewRefuses(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	tests := []struct {
		name string
		edit func(in *opportunity.NewInput, ch *opportunity.Change)
		path string
		is   error
	}{
		{"zero id", func(in *opportunity.NewInput, _ *opportunity.Change) { in.ID = crm.NilID }, "id", crm.ErrInvalid},
		{"bad tenant", func(in *opportunity.NewInput, _ *opportunity.Change) { in.Tenant = "a b" }, "tenant", crm.ErrInvalid},
		{"no customer", func(in *opportunity.NewInput, _ *opportunity.Change) { in.Customer = crm.NilID }, "customer", crm.ErrInvalid},
		{"no owner", func(in *opportunity.NewInput, _ *opportunity.Change) { in.Owner = "" }, "owner", crm.ErrInvalid},
		{"blank name", func(in *opportunity.NewInput, _ *opportunity.Change) { in.Name = "  " }, "name", crm.ErrInvalid},
		{"huge name", func(in *opportunity.NewInput, _ *opportunity.Change) { in.Name = strings.Repeat("x", 1<<20) }, "name", crm.ErrInvalid},
		{"bad utf-8 name", func(in *opportunity.NewInput, _ *opportunity.Change) { in.Name = "\xff" }, "name", crm.ErrInvalid},
		{"lead without lead", func(in *opportunity.NewInput, _ *opportunity.Change) { in.Source.Lead = crm.NilID }, "source.lead", crm.ErrInvalid},
		{"referral without referrer", func(in *opportunity.NewInput, _ *opportunity.Change) {
			in.Source = opportunity.Source{Kind: opportunity.FromDealerReferral}
		}, "source.referrer", crm.ErrInvalid},
		{"unknown source", func(in *opportunity.NewInput, _ *opportunity.Change) { in.Source.Kind = 77 }, "source.kind", crm.ErrInvalid},
		{"no currency", func(in *opportunity.NewInput, _ *opportunity.Change) { in.Currency = crm.Currency{} }, "currency", crm.ErrInvalid},
		{"amount in another currency", func(in *opportunity.NewInput, _ *opportunity.Change) { in.Amount = money("10.00 EUR") }, "amount", crm.ErrInvalid},
		{"negative amount", func(in *opportunity.NewInput, _ *opportunity.Change) { in.Amount = money("-1.00 CNY") }, "amount", crm.ErrInvalid},
		{"stage the pipeline lacks", func(in *opportunity.NewInput, _ *opportunity.Change) { in.Stage = "demo" }, "stage", crm.ErrInvalid},
		{"start in won", func(in *opportunity.NewInput, _ *opportunity.Change) { in.Stage = "won" }, "stage", crm.ErrInvalid},
		{"close date before the opportunity existed", func(in *opportunity.NewInput, _ *opportunity.Change) {
			in.CloseDate = date(2026, 3, 1)
		}, "close_date", crm.ErrInvalid},
		{"impossible close date", func(in *opportunity.NewInput, _ *opportunity.Change) { in.CloseDate = date(2026, 2, 30) }, "close_date", crm.ErrInvalid},
		{"unknown contact role", func(in *opportunity.NewInput, _ *opportunity.Change) {
			in.Contacts = []opportunity.Contact{{Name: "Ms Zhao"}}
		}, "contacts[0].role", crm.ErrInvalid},
		{"no actor", func(_ *opportunity.NewInput, ch *opportunity.Change) { ch.Actor = "" }, "change.actor", crm.ErrInvalid},
		{"no time", func(_ *opportunity.NewInput, ch *opportunity.Change) { ch.At = time.Time{} }, "change.at", crm.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in, ch := newInput(), chAt(0, "")
			tt.edit(&in, &ch)
			o, err := opportunity.New(in, p, ch)
			require.Nil(t, o)
			require.ErrorIs(t, err, tt.is)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tt.path), err.Error())
		})
	}
	t.Run("requirements of the starting stage", func(t *testing.T) {
		t.Parallel()
		in := newInput()
		in.Stage = "proposal"
		_, err := opportunity.New(in, p, chAt(0, ""))
		require.ErrorIs(t, err, crm.ErrInvalidTransition)
		var re *opportunity.RequirementError
		require.ErrorAs(t, err, &re)
		require.Equal(t, []opportunity.Field{opportunity.FieldAmount, opportunity.FieldCloseDate, opportunity.FieldContact}, re.Missing)
	})
	t.Run("invalid pipeline", func(t *testing.T) {
		t.Parallel()
		_, err := opportunity.New(newInput(), &opportunity.Pipeline{Code: "x"}, chAt(0, ""))
		require.ErrorIs(t, err, crm.ErrInvalid)
		_, err = opportunity.New(newInput(), nil, chAt(0, ""))
		require.ErrorIs(t, err, crm.ErrInvalid)
	})
}

// TestFlowWithHistory walks an opportunity through its pipeline and checks
// the kept stage changes, in calendar and business time.
func TestFlowWithHistory(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	o := newOpp(t, p)
	readyForNegotiation(t, o)
	day := 24 * time.Hour
	// Monday 09:00 -> Wednesday 13:00: 52 h, business 8+8+4 = 20 h.
	require.NoError(t, o.MoveStage(p, "needs", chAt(2*day+4*time.Hour, "")))
	// Wednesday 13:00 -> next Monday 09:00: 116 h; business 4 + 8 + 8 = 20 h.
	require.NoError(t, o.MoveStage(p, "proposal", chAt(7*day, "")))
	require.Equal(t, opportunity.CategoryBestCase, o.ForecastCategory())
	require.Equal(t, 0.5, o.Probability())
	// back to needs, with a reason
	require.NoError(t, o.MoveStage(p, "needs", chAt(7*day+time.Hour, "scope changed")))
	require.NoError(t, o.MoveStage(p, "negotiation", chAt(8*day, "")))
	require.NoError(t, o.CloseWon(p, opportunity.WonDetails{ContractDate: date(2026, 3, 11), Contract: "HT-2026-0311"}, chAt(9*day, "")))
	require.Equal(t, opportunity.Won, o.Status())
	require.Equal(t, "won", o.Stage())
	require.Equal(t, 1.0, o.Probability())
	require.Equal(t, opportunity.CategoryClosed, o.ForecastCategory())

	type got struct {
		From, To          string
		InStage, Business time.Duration
		Reason            string
	}
	var hist []got
	for _, c := range o.PendingChanges() {
		hist = append(hist, got{c.From, c.To, c.InStage, c.InStageBusiness, c.Reason})
	}
	require.Equal(t, []got{
		{"", "qualify", 0, 0, ""},
		{"qualify", "needs", 52 * time.Hour, 20 * time.Hour, ""},
		{"needs", "proposal", 116 * time.Hour, 20 * time.Hour, ""},
		{"proposal", "needs", time.Hour, time.Hour, "scope changed"},
		{"needs", "negotiation", 23 * time.Hour, 7 * time.Hour, ""}, // Monday 10:00-17:00
		{"negotiation", "won", 24 * time.Hour, 8 * time.Hour, ""},
	}, hist)

	ev := o.Events()
	last := ev[len(ev)-1]
	require.Equal(t, opportunity.EventWon, last.Type)
	require.Equal(t, opportunity.WonEvent{Customer: idCust, Amount: money("500000.00 CNY"), ContractDate: date(2026, 3, 11),
		Contract: "HT-2026-0311", From: "negotiation"}, last.Data)
}

func TestMoveStageRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, o *opportunity.Opportunity, p *opportunity.Pipeline)
		to    string
		ch    opportunity.Change
		is    error
		check func(t *testing.T, err error)
	}{
		{name: "stage the pipeline lacks", to: "demo", ch: chAt(time.Hour, ""), is: crm.ErrInvalid},
		{name: "skipping two stages", to: "negotiation", ch: chAt(time.Hour, ""), is: crm.ErrInvalidTransition},
		{name: "same stage", to: "qualify", ch: chAt(time.Hour, ""), is: crm.ErrInvalidTransition},
		{name: "won through MoveStage", to: "won", ch: chAt(time.Hour, ""), is: crm.ErrInvalid},
		{name: "missing contact", to: "needs", ch: chAt(time.Hour, ""), is: crm.ErrInvalidTransition,
			check: func(t *testing.T, err error) {
				var re *opportunity.RequirementError
				require.ErrorAs(t, err, &re)
				require.True(t, re.Has(opportunity.FieldContact))
				var te *crm.TransitionError
				require.ErrorAs(t, err, &te)
				require.Equal(t, "missing contact", te.Reason)
			}},
		{name: "back without a reason", to: "qualify", ch: chAt(2*time.Hour, ""), is: crm.ErrInvalid,
			setup: func(t *testing.T, o *opportunity.Opportunity, p *opportunity.Pipeline) {
				readyForNegotiation(t, o)
				require.NoError(t, o.MoveStage(p, "needs", chAt(time.Hour, "")))
			}},
		{name: "time going backwards", to: "needs", ch: chAt(-time.Minute, ""), is: crm.ErrInvalid},
		{name: "another pipeline", to: "needs", ch: chAt(time.Hour, ""), is: crm.ErrInvalid,
			setup: func(t *testing.T, o *opportunity.Opportunity, p *opportunity.Pipeline) {
				readyForNegotiation(t, o)
				p.Code = "smb"
			}},
		{name: "closed", to: "needs", ch: chAt(3*time.Hour, ""), is: crm.ErrInvalidTransition,
			setup: func(t *testing.T, o *opportunity.Opportunity, p *opportunity.Pipeline) {
				require.NoError(t, o.CloseLost(p, opportunity.LostDetails{Reason: "timing"}, chAt(2*time.Hour, "")))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := testPipeline(t)
			o := newOpp(t, p)
			if tt.setup != nil {
				tt.setup(t, o, p)
			}
			before := o.Record()
			nEvents := len(o.Events())
			err := o.MoveStage(p, tt.to, tt.ch)
			require.ErrorIs(t, err, tt.is)
			if tt.check != nil {
				tt.check(t, err)
			}
			require.Equal(t, before, o.Record(), "a refused move changes nothing")
			require.Len(t, o.Events(), nEvents)
		})
	}
}

func TestApprovalGatesStage(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	o := newOpp(t, p)
	readyForNegotiation(t, o)
	l, err := opportunity.NewLine(opportunity.LineInput{Code: "AC-9000", Quantity: dec("200"), UnitPrice: money("2500.00 CNY"),
		Discount: dec("0.2"), ApprovalThreshold: dec("0.15")})
	require.NoError(t, err)
	require.True(t, l.NeedsApproval)
	require.True(t, l.Total.Equal(money("400000.00 CNY")))
	require.NoError(t, o.SetLines([]opportunity.Line{l}, chAt(time.Hour, "")))
	require.True(t, o.Amount().Equal(money("400000.00 CNY")), "the amount is the sum of the lines")
	require.ErrorIs(t, o.SetAmount(money("1.00 CNY"), chAt(time.Hour, "")), crm.ErrInvalid, "amount comes from lines")
	require.NoError(t, o.MoveStage(p, "needs", chAt(2*time.Hour, "")))
	require.NoError(t, o.MoveStage(p, "proposal", chAt(3*time.Hour, "")))
	err = o.MoveStage(p, "negotiation", chAt(4*time.Hour, ""))
	var re *opportunity.RequirementError
	require.ErrorAs(t, err, &re)
	require.Equal(t, []opportunity.Field{opportunity.FieldApproval}, re.Missing)
	require.Equal(t, []string{"AC-9000"}, o.Unapproved())

	// an approval of less than the discount does not cover it
	require.NoError(t, o.ApproveDiscount("AC-9000", dec("0.18"), opportunity.Change{Actor: "director-sun", At: t0.Add(5 * time.Hour)}))
	require.ErrorIs(t, o.MoveStage(p, "negotiation", chAt(5*time.Hour, "")), crm.ErrInvalidTransition)
	require.NoError(t, o.ApproveDiscount("AC-9000", dec("0.2"), opportunity.Change{Actor: "director-sun", At: t0.Add(6 * time.Hour), Reason: "strategic account"}))
	require.NoError(t, o.MoveStage(p, "negotiation", chAt(6*time.Hour, "")))
	a := o.Approvals()
	require.Len(t, a, 2)
	require.Equal(t, crm.UserID("director-sun"), a[1].Approver)
	require.Equal(t, "strategic account", a[1].Reason)
	require.ErrorIs(t, o.ApproveDiscount("NOPE", dec("0.1"), chAt(7*time.Hour, "")), crm.ErrInvalid)
}

func TestCloseLostAndReopen(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	o := newOpp(t, p)
	require.NoError(t, o.SetCompetitor(opportunity.Competitor{Name: "Gree", Offer: money("380000.00 CNY"),
		Strengths: "price", Weaknesses: "delivery", Status: opportunity.CompetitorLeading}, chAt(time.Hour, "")))
	before := o.Record()
	for _, bad := range []opportunity.LostDetails{
		{Reason: "bad_luck"},
		{Reason: ""},
		{Reason: "price", Competitor: "Midea"},
	} {
		require.ErrorIs(t, o.CloseLost(p, bad, chAt(2*time.Hour, "")), crm.ErrInvalid)
	}
	require.Equal(t, before, o.Record())
	require.NoError(t, o.CloseLost(p, opportunity.LostDetails{Reason: "price", Competitor: "Gree", Notes: "10% cheaper"}, chAt(2*time.Hour, "")))
	require.Equal(t, opportunity.Lost, o.Status())
	require.Equal(t, 0.0, o.Probability())
	require.Equal(t, opportunity.CategoryOmitted, o.ForecastCategory())
	require.Equal(t, opportunity.CompetitorWon, o.Competitors()[0].Status)
	require.ErrorIs(t, o.SetAmount(money("1.00 CNY"), chAt(3*time.Hour, "")), crm.ErrInvalidTransition, "closed opportunities are not edited")
	require.ErrorIs(t, o.CloseWon(p, opportunity.WonDetails{ContractDate: date(2026, 3, 2), Contract: "x"}, chAt(3*time.Hour, "")), crm.ErrInvalidTransition)

	require.ErrorIs(t, o.Reopen(p, "", chAt(3*time.Hour, "")), crm.ErrInvalid, "a reason is required")
	require.ErrorIs(t, o.Reopen(p, "demo", chAt(3*time.Hour, "budget is back")), crm.ErrInvalid)
	require.NoError(t, o.Reopen(p, "", chAt(3*time.Hour, "budget is back")))
	require.Equal(t, opportunity.Open, o.Status())
	require.Equal(t, "qualify", o.Stage(), "back to the stage it was lost from")
	require.Equal(t, 1, o.Reopens())
	require.Equal(t, opportunity.CompetitorActive, o.Competitors()[0].Status)
	_, lost := o.Lost()
	require.False(t, lost)
	require.ErrorIs(t, o.Reopen(p, "", chAt(4*time.Hour, "again")), crm.ErrInvalidTransition)
	ev := o.Events()
	require.Equal(t, opportunity.Reopened{From: "lost", To: "qualify"}, ev[len(ev)-1].Data)
}

func TestCloseWonRefusals(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	o := newOpp(t, p)
	w := opportunity.WonDetails{ContractDate: date(2026, 3, 2), Contract: "HT-1"}
	require.ErrorIs(t, o.CloseWon(p, w, chAt(time.Hour, "")), crm.ErrInvalidTransition, "won only from proposal on")
	readyForNegotiation(t, o)
	require.NoError(t, o.MoveStage(p, "needs", chAt(time.Hour, "")))
	require.NoError(t, o.MoveStage(p, "proposal", chAt(time.Hour, "")))
	before := o.Record()
	for name, bad := range map[string]opportunity.WonDetails{
		"contract before the opportunity existed": {ContractDate: date(2026, 3, 1), Contract: "HT-1"},
		"no contract":      {ContractDate: date(2026, 3, 5)},
		"no contract date": {Contract: "HT-1"},
		"impossible date":  {ContractDate: date(2026, 13, 1), Contract: "HT-1"},
	} {
		require.ErrorIs(t, o.CloseWon(p, bad, chAt(2*time.Hour, "")), crm.ErrInvalid, name)
	}
	require.Equal(t, before, o.Record())
	require.NoError(t, o.CloseWon(p, w, chAt(2*time.Hour, "")))
}

func TestEditsRefuseBadInput(t *testing.T) {
	t.Parallel()
	eurLine, err := opportunity.NewLine(opportunity.LineInput{Code: "X", Quantity: dec("1"), UnitPrice: money("10.00 EUR")})
	require.NoError(t, err)
	tests := []struct {
		name string
		do   func(o *opportunity.Opportunity) error
		is   []error
	}{
		{"amount in another currency", func(o *opportunity.Opportunity) error {
			return o.SetAmount(money("10.00 EUR"), chAt(time.Hour, ""))
		}, []error{crm.ErrInvalid, crm.ErrCurrencyMismatch}},
		{"lines in another currency", func(o *opportunity.Opportunity) error {
			return o.SetLines([]opportunity.Line{eurLine}, chAt(time.Hour, ""))
		}, []error{crm.ErrInvalid, crm.ErrCurrencyMismatch}},
		{"competitor offer in another currency", func(o *opportunity.Opportunity) error {
			return o.SetCompetitor(opportunity.Competitor{Name: "Gree", Offer: money("1.00 EUR"), Status: opportunity.CompetitorActive}, chAt(time.Hour, ""))
		}, []error{crm.ErrInvalid, crm.ErrCurrencyMismatch}},
		{"amount below the minor unit", func(o *opportunity.Opportunity) error {
			return o.SetAmount(money("10.001 CNY"), chAt(time.Hour, ""))
		}, []error{crm.ErrInvalid}},
		{"negative amount", func(o *opportunity.Opportunity) error {
			return o.SetAmount(money("-10.00 CNY"), chAt(time.Hour, ""))
		}, []error{crm.ErrInvalid}},
		{"forged line total", func(o *opportunity.Opportunity) error {
			l, _ := opportunity.NewLine(opportunity.LineInput{Code: "X", Quantity: dec("2"), UnitPrice: money("10.00 CNY")})
			l.Total = money("1.00 CNY")
			return o.SetLines([]opportunity.Line{l}, chAt(time.Hour, ""))
		}, []error{crm.ErrInvalid}},
		{"forged discount", func(o *opportunity.Opportunity) error {
			l, _ := opportunity.NewLine(opportunity.LineInput{Code: "X", Quantity: dec("2"), UnitPrice: money("10.00 CNY")})
			l.Discount = dec("0.5")
			return o.SetLines([]opportunity.Line{l}, chAt(time.Hour, ""))
		}, []error{crm.ErrInvalid}},
		{"negative quantity in a built line", func(o *opportunity.Opportunity) error {
			l := opportunity.Line{Code: "X", Quantity: dec("-2"), ListPrice: money("10.00 CNY"), Total: money("-20.00 CNY")}
			return o.SetLines([]opportunity.Line{l}, chAt(time.Hour, ""))
		}, []error{crm.ErrInvalid}},
		{"manual discount over 100% in a built line", func(o *opportunity.Opportunity) error {
			l := opportunity.Line{Code: "X", Quantity: dec("1"), ListPrice: money("10.00 CNY"),
				Adjustments: []opportunity.Adjustment{{Kind: opportunity.AdjustManual, Percent: dec("-1.5")}},
				Discount:    dec("1.5"), Total: money("-5.00 CNY")}
			return o.SetLines([]opportunity.Line{l}, chAt(time.Hour, ""))
		}, []error{crm.ErrInvalid}},
		{"too many lines", func(o *opportunity.Opportunity) error {
			return o.SetLines(make([]opportunity.Line, opportunity.MaxLines+1), chAt(time.Hour, ""))
		}, []error{crm.ErrInvalid}},
		{"probability above 1", func(o *opportunity.Opportunity) error {
			return o.OverrideProbability(1.5, chAt(time.Hour, "gut feeling"))
		}, []error{crm.ErrInvalid}},
		{"probability below 0", func(o *opportunity.Opportunity) error {
			return o.OverrideProbability(-0.01, chAt(time.Hour, "gut feeling"))
		}, []error{crm.ErrInvalid}},
		{"probability without a reason", func(o *opportunity.Opportunity) error {
			return o.OverrideProbability(0.5, chAt(time.Hour, ""))
		}, []error{crm.ErrInvalid}},
		{"close date before the opportunity existed", func(o *opportunity.Opportunity) error {
			return o.SetCloseDate(date(2026, 3, 1), chAt(time.Hour, ""))
		}, []error{crm.ErrInvalid}},
		{"next step without a due date", func(o *opportunity.Opportunity) error {
			return o.SetNextStep(opportunity.NextStep{Text: "call"}, chAt(time.Hour, ""))
		}, []error{crm.ErrInvalid}},
		{"closed category by hand", func(o *opportunity.Opportunity) error {
			return o.SetForecastCategory(opportunity.CategoryClosed, chAt(time.Hour, ""))
		}, []error{crm.ErrInvalid}},
		{"competitor marked won by hand", func(o *opportunity.Opportunity) error {
			return o.SetCompetitor(opportunity.Competitor{Name: "Gree", Status: opportunity.CompetitorWon}, chAt(time.Hour, ""))
		}, []error{crm.ErrInvalid}},
		{"remove unknown competitor", func(o *opportunity.Opportunity) error {
			return o.RemoveCompetitor("Gree", chAt(time.Hour, ""))
		}, []error{crm.ErrInvalid}},
		{"hand over to the owner", func(o *opportunity.Opportunity) error {
			return o.SetOwner("sales-wang", chAt(time.Hour, "why"))
		}, []error{crm.ErrInvalid}},
		{"change before creation", func(o *opportunity.Opportunity) error {
			return o.SetCloseDate(date(2026, 6, 1), chAt(-time.Hour, ""))
		}, []error{crm.ErrInvalid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := newOpp(t, testPipeline(t))
			before := o.Record()
			err := tt.do(o)
			for _, is := range tt.is {
				require.ErrorIs(t, err, is)
			}
			var ve *crm.ValidationError
			require.True(t, errors.As(err, &ve), "a *crm.ValidationError says where: %v", err)
			require.Equal(t, before, o.Record(), "a refused change leaves the opportunity unchanged")
			require.Len(t, o.Events(), 1)
		})
	}
}

func TestProbabilityAndCategory(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	o := newOpp(t, p)
	readyForNegotiation(t, o)
	require.NoError(t, o.OverrideProbability(0.3, chAt(time.Hour, "met the CEO")))
	require.Equal(t, 0.3, o.Probability())
	ov, ok := o.ProbabilityOverride()
	require.True(t, ok)
	require.Equal(t, opportunity.ProbabilityOverride{Value: 0.3, Actor: "sales-wang", At: t0.Add(time.Hour), Reason: "met the CEO"}, ov)
	require.NoError(t, o.SetForecastCategory(opportunity.CategoryCommit, chAt(time.Hour, "")))
	require.Equal(t, opportunity.CategoryCommit, o.ForecastCategory())
	require.NoError(t, o.MoveStage(p, "needs", chAt(2*time.Hour, "")))
	require.Equal(t, 0.25, o.Probability(), "a stage change brings back the stage default")
	require.Equal(t, opportunity.CategoryPipeline, o.ForecastCategory())
	require.NoError(t, o.OverrideProbability(0.4, chAt(3*time.Hour, "budget confirmed")))
	require.NoError(t, o.ClearProbabilityOverride(chAt(3*time.Hour, "")))
	require.Equal(t, 0.25, o.Probability())
	require.ErrorIs(t, o.ClearProbabilityOverride(chAt(3*time.Hour, "")), crm.ErrInvalid)
}

func TestStale(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	o := newOpp(t, p)
	day := 24 * time.Hour
	require.False(t, o.Stale(p, t0.Add(7*day)), "exactly at the threshold is not yet stale")
	require.True(t, o.Stale(p, t0.Add(7*day+time.Second)))
	cal, bus := o.TimeInStage(p, t0.Add(7*day))
	require.Equal(t, 7*day, cal)
	require.Equal(t, 5*8*time.Hour, bus)
	readyForNegotiation(t, o)
	require.NoError(t, o.MoveStage(p, "needs", chAt(day, "")))
	require.False(t, o.Stale(p, t0.Add(100*day)), "needs has no staleness threshold")
}

func TestRecordRoundTrip(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	o := newOpp(t, p)
	readyForNegotiation(t, o)
	require.NoError(t, o.SetCompetitor(opportunity.Competitor{Name: "Gree", Status: opportunity.CompetitorActive}, chAt(time.Hour, "")))
	require.NoError(t, o.MoveStage(p, "needs", chAt(2*time.Hour, "")))
	require.NoError(t, o.CloseLost(p, opportunity.LostDetails{Reason: "price", Competitor: "Gree"}, chAt(3*time.Hour, "")))
	opportunity.SavedForTest(o, 3)
	r := o.Record()
	back, err := opportunity.FromRecord(r)
	require.NoError(t, err)
	require.Equal(t, r, back.Record())
	require.Empty(t, back.PendingChanges())

	// records built around the constructors are refused
	tests := []struct {
		name string
		edit func(r *opportunity.Record)
		path string
	}{
		{"won status in a lost stage", func(r *opportunity.Record) { r.Status = opportunity.Won }, "stage"},
		{"open with closing details", func(r *opportunity.Record) { r.Status = opportunity.Open; r.Stage = "needs" }, "status"},
		{"unknown status", func(r *opportunity.Record) { r.Status = 9 }, "status"},
		{"amount in another currency", func(r *opportunity.Record) { r.Amount = money("1.00 EUR") }, "amount"},
		{"probability out of range", func(r *opportunity.Record) { r.StageProbability = 2 }, "stage_probability"},
		{"no history", func(r *opportunity.Record) { r.Seq = 0 }, "seq"},
		{"stage before creation", func(r *opportunity.Record) { r.StageSince = t0.Add(-time.Hour) }, "stage_since"},
		{"lines that do not add up", func(r *opportunity.Record) {
			l, _ := opportunity.NewLine(opportunity.LineInput{Code: "X", Quantity: dec("2"), UnitPrice: money("10.00 CNY")})
			r.Lines = []opportunity.Line{l}
		}, "amount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := o.Record()
			tt.edit(&r)
			_, err := opportunity.FromRecord(r)
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tt.path), err.Error())
		})
	}
}

func TestCloneSharesNothing(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	o := newOpp(t, p)
	readyForNegotiation(t, o)
	c := o.Clone()
	require.NoError(t, c.SetContacts(nil, chAt(2*time.Hour, "")))
	require.Len(t, o.Contacts(), 2)
	cs := o.Contacts()
	cs[0].Name = "changed"
	require.Equal(t, "Ms Zhao", o.Contacts()[0].Name)
}

func TestCheckUpdate(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	base := newOpp(t, p)
	opportunity.SavedForTest(base, 1)
	tests := []struct {
		name string
		fn   func(o *opportunity.Opportunity) *opportunity.Opportunity
		ok   bool
	}{
		{"a stage move", func(o *opportunity.Opportunity) *opportunity.Opportunity {
			require.NoError(t, o.SetContacts([]opportunity.Contact{{Name: "A", Role: opportunity.User}}, chAt(time.Hour, "")))
			require.NoError(t, o.MoveStage(p, "needs", chAt(time.Hour, "")))
			return o
		}, true},
		{"another opportunity", func(*opportunity.Opportunity) *opportunity.Opportunity {
			in := newInput()
			in.ID = crm.MustParseID("01890000-0000-7000-8000-0000000000ff")
			x, err := opportunity.New(in, p, chAt(0, ""))
			require.NoError(t, err)
			return x
		}, false},
		{"a different customer", func(*opportunity.Opportunity) *opportunity.Opportunity {
			in := newInput()
			in.Customer = idLead
			x, err := opportunity.New(in, p, chAt(0, ""))
			require.NoError(t, err)
			opportunity.SavedForTest(x, 1)
			return x
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			after := tt.fn(base.Clone())
			err := checkUpdateAndStored(base, after)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, crm.ErrInvalid)
		})
	}
}

func TestChangePipeline(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	smb := &opportunity.Pipeline{Code: "smb", Team: "west", Stages: []opportunity.StageDef{
		{Code: "lead", Probability: 0.2},
		{Code: "deal", Probability: 0.6, Requires: []opportunity.Field{opportunity.FieldAmount}},
	}}
	require.NoError(t, smb.Validate())
	o := newOpp(t, p)
	require.NoError(t, o.OverrideProbability(0.4, chAt(time.Hour, "hunch")))
	before := o.Record()
	for name, call := range map[string]func() error{
		"no reason":          func() error { return o.ChangePipeline(smb, "lead", chAt(2*time.Hour, "")) },
		"same pipeline":      func() error { return o.ChangePipeline(p, "needs", chAt(2*time.Hour, "why")) },
		"unknown stage":      func() error { return o.ChangePipeline(smb, "needs", chAt(2*time.Hour, "why")) },
		"nil pipeline":       func() error { return o.ChangePipeline(nil, "lead", chAt(2*time.Hour, "why")) },
		"missing the amount": func() error { return o.ChangePipeline(smb, "deal", chAt(2*time.Hour, "why")) },
	} {
		err := call()
		require.Error(t, err, name)
		if name == "missing the amount" {
			var re *opportunity.RequirementError
			require.ErrorAs(t, err, &re)
			require.Equal(t, []opportunity.Field{opportunity.FieldAmount}, re.Missing)
		} else {
			require.ErrorIs(t, err, crm.ErrInvalid, name)
		}
		require.Equal(t, before, o.Record(), name)
	}
	require.NoError(t, o.ChangePipeline(smb, "lead", chAt(2*time.Hour, "small order after all")))
	require.Equal(t, "smb", o.Pipeline())
	require.Equal(t, "west", o.Team())
	require.Equal(t, "lead", o.Stage())
	require.Equal(t, 0.2, o.Probability(), "the override is cleared")
	ch := o.PendingChanges()
	last := ch[len(ch)-1]
	require.Equal(t, "qualify", last.From)
	require.Equal(t, "lead", last.To)
	require.Equal(t, "smb", last.Pipeline)
	require.Equal(t, 2*time.Hour, last.InStage)
	ev := o.Events()
	require.Equal(t, opportunity.PipelineChanged{FromPipeline: "enterprise", FromStage: "qualify", ToPipeline: "smb",
		ToStage: "lead", Team: "west"}, ev[len(ev)-1].Data)
	require.ErrorIs(t, o.MoveStage(p, "needs", chAt(3*time.Hour, "")), crm.ErrInvalid, "the old pipeline no longer applies")
	require.NoError(t, o.CloseLost(smb, opportunity.LostDetails{Reason: "price"}, chAt(3*time.Hour, "")))
	require.ErrorIs(t, o.ChangePipeline(p, "qualify", chAt(4*time.Hour, "why")), crm.ErrInvalidTransition, "closed")
}
