package customer_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// The expected transition tables below are written out from the documented
// diagrams (stage.go, loyalty.go, visit.go and DOMAIN.md §1), not derived
// from the package's own tables.

// entStageAllowed: forward one stage at a time, back one stage when the
// relationship cools.
//
//	unfamiliar ⇄ established ⇄ evaluation ⇄ growth ⇄ mature
var entStageAllowed = map[customer.Stage][]customer.Stage{
	customer.Unfamiliar:  {customer.Established},
	customer.Established: {customer.Unfamiliar, customer.Evaluation},
	customer.Evaluation:  {customer.Established, customer.Growth},
	customer.Growth:      {customer.Evaluation, customer.Mature},
	customer.Mature:      {customer.Growth},
}

// entLoyaltyAllowed: one rung up at a time, back to any lower rung.
var entLoyaltyAllowed = map[customer.Loyalty][]customer.Loyalty{
	customer.Awareness:    {customer.Trust},
	customer.Trust:        {customer.Awareness, customer.Transaction},
	customer.Transaction:  {customer.Awareness, customer.Trust, customer.Satisfaction},
	customer.Satisfaction: {customer.Awareness, customer.Trust, customer.Transaction, customer.Loyal},
	customer.Loyal:        {customer.Awareness, customer.Trust, customer.Transaction, customer.Satisfaction, customer.Advocacy},
	customer.Advocacy:     {customer.Awareness, customer.Trust, customer.Transaction, customer.Satisfaction, customer.Loyal},
}

// entLifecycleAllowed:
//
//	active ⇄ at_risk → churned → won_back → active
//	active → churned;  won_back → at_risk | churned
var entLifecycleAllowed = map[customer.Lifecycle][]customer.Lifecycle{
	customer.Active:  {customer.AtRisk, customer.Churned},
	customer.AtRisk:  {customer.Active, customer.Churned},
	customer.Churned: {customer.WonBack},
	customer.WonBack: {customer.Active, customer.AtRisk, customer.Churned},
}

// entVisitAllowed: planned → done | cancelled | missed; nothing else.
var entVisitAllowed = map[customer.VisitStatus][]customer.VisitStatus{
	customer.VisitPlanned: {customer.VisitDone, customer.VisitCancelled, customer.VisitMissed},
}

// entRefusedTransition runs op, requires a *crm.TransitionError of machine
// from -> to matching crm.ErrInvalidTransition, and c unchanged.
func entRefusedTransition(t testing.TB, c *customer.Customer, machine, from, to string, op func() error) *crm.TransitionError {
	t.Helper()
	err := entRefuses(t, c, crm.ErrInvalidTransition, op)
	var te *crm.TransitionError
	require.ErrorAs(t, err, &te)
	require.Equal(t, machine, te.Machine)
	require.Equal(t, from, te.From)
	require.Equal(t, to, te.To)
	require.NotErrorIs(t, err, crm.ErrInvalid, "a refused transition is not bad input")
	return te
}

func TestStageTransitions(t *testing.T) {
	t.Parallel()
	all := customer.Stages()
	require.Equal(t, []customer.Stage{customer.Unfamiliar, customer.Established, customer.Evaluation, customer.Growth, customer.Mature}, all)
	for _, from := range all {
		require.ElementsMatch(t, entStageAllowed[from], from.Next(), "Next of %s", from)
		for _, to := range all {
			allowed := slices.Contains(entStageAllowed[from], to)
			t.Run(from.String()+"->"+to.String(), func(t *testing.T) {
				t.Parallel()
				require.Equal(t, allowed, from.CanMoveTo(to))
				c := entNew(t, func(in *customer.NewInput) { in.Stage = from })
				ch := entChange("")
				op := func() error { return c.MoveStage(to, "HT-2025-001", ch) }
				if !allowed {
					_ = entRefusedTransition(t, c, "customer stage", from.String(), to.String(), op)
					return
				}
				require.NoError(t, op())
				require.Equal(t, to, c.Stage())
				if to == customer.Mature {
					ch.Reason = "contract HT-2025-001" // the contract becomes the reason when none is given
				}
				entCheckHistory(t, c, entLastHistory(t, c), customer.HistoryStage, from.String(), to.String(), ch)
				entCheckEvent(t, c, entLastEvent(t, c), customer.EventStageChanged, ch, customer.StageChanged{From: from, To: to})
			})
		}
	}
}

func TestStageMatureNeedsContract(t *testing.T) {
	t.Parallel()
	for _, contract := range []string{"", "   ", "\t\n"} {
		t.Run(strings.ReplaceAll(contract, " ", "_"), func(t *testing.T) {
			t.Parallel()
			c := entNew(t, func(in *customer.NewInput) { in.Stage = customer.Growth })
			te := entRefusedTransition(t, c, "customer stage", "growth", "mature", func() error {
				return c.MoveStage(customer.Mature, contract, entChange("signed, trust me"))
			})
			require.NotEmpty(t, te.Reason, "the refusal says why")
		})
	}
	t.Run("explicit reason kept", func(t *testing.T) {
		t.Parallel()
		c := entNew(t, func(in *customer.NewInput) { in.Stage = customer.Growth })
		require.NoError(t, c.MoveStage(customer.Mature, "HT-7", entChange("signed at the fair")))
		require.Equal(t, "signed at the fair", entLastHistory(t, c).Reason)
	})
	t.Run("contract not needed below mature", func(t *testing.T) {
		t.Parallel()
		c := entNew(t, func(in *customer.NewInput) { in.Stage = customer.Evaluation })
		require.NoError(t, c.MoveStage(customer.Growth, "", entChange("")))
	})
}

func TestLoyaltyTransitions(t *testing.T) {
	t.Parallel()
	all := customer.LoyaltyLadder()
	require.Equal(t, []customer.Loyalty{
		customer.Awareness, customer.Trust, customer.Transaction, customer.Satisfaction, customer.Loyal, customer.Advocacy,
	}, all)
	for _, from := range all {
		for _, to := range all {
			allowed := slices.Contains(entLoyaltyAllowed[from], to)
			t.Run(from.String()+"->"+to.String(), func(t *testing.T) {
				t.Parallel()
				require.Equal(t, allowed, from.CanMoveTo(to))
				c := entNew(t, func(in *customer.NewInput) { in.Loyalty = from })
				ch := entChange("survey")
				op := func() error { return c.MoveLoyalty(to, ch) }
				if !allowed {
					_ = entRefusedTransition(t, c, "customer loyalty", from.String(), to.String(), op)
					return
				}
				require.NoError(t, op())
				require.Equal(t, to, c.Loyalty())
				entCheckHistory(t, c, entLastHistory(t, c), customer.HistoryLoyalty, from.String(), to.String(), ch)
				entCheckEvent(t, c, entLastEvent(t, c), customer.EventLoyaltyChanged, ch, customer.LoyaltyChanged{From: from, To: to})
			})
		}
	}
}

func TestLifecycleTransitions(t *testing.T) {
	t.Parallel()
	all := customer.Lifecycles()
	require.Equal(t, []customer.Lifecycle{customer.Active, customer.AtRisk, customer.Churned, customer.WonBack}, all)
	for _, from := range all {
		for _, to := range all {
			allowed := slices.Contains(entLifecycleAllowed[from], to)
			t.Run(from.String()+"->"+to.String(), func(t *testing.T) {
				t.Parallel()
				require.Equal(t, allowed, from.CanMoveTo(to))
				c := entNew(t, func(in *customer.NewInput) { in.Lifecycle = from })
				ch := entChange("retention review")
				op := func() error { return c.MoveLifecycle(to, ch) }
				if !allowed {
					_ = entRefusedTransition(t, c, "customer lifecycle", from.String(), to.String(), op)
					return
				}
				require.NoError(t, op())
				require.Equal(t, to, c.Lifecycle())
				entCheckHistory(t, c, entLastHistory(t, c), customer.HistoryLifecycle, from.String(), to.String(), ch)
				entCheckEvent(t, c, entLastEvent(t, c), customer.EventLifecycleChanged, ch, customer.LifecycleChanged{From: from, To: to})
			})
		}
	}
}

func TestUnknownStatesCannotMove(t *testing.T) {
	t.Parallel()
	for _, s := range customer.Stages() {
		require.False(t, customer.Stage(0).CanMoveTo(s))
		require.False(t, s.CanMoveTo(0))
		require.False(t, s.CanMoveTo(6))
	}
	require.Empty(t, customer.Stage(0).Next())
	for _, l := range customer.LoyaltyLadder() {
		require.False(t, customer.Loyalty(0).CanMoveTo(l))
		require.False(t, l.CanMoveTo(7))
	}
	for _, l := range customer.Lifecycles() {
		require.False(t, customer.Lifecycle(0).CanMoveTo(l))
		require.False(t, l.CanMoveTo(5))
	}
}

func TestStageNextIsACopy(t *testing.T) {
	t.Parallel()
	next := customer.Growth.Next()
	require.NotEmpty(t, next)
	next[0] = customer.Unfamiliar
	require.False(t, customer.Growth.CanMoveTo(customer.Unfamiliar))
	require.ElementsMatch(t, entStageAllowed[customer.Growth], customer.Growth.Next())
}

func TestStageTasks(t *testing.T) {
	t.Parallel()
	want := map[customer.Stage][]string{
		customer.Unfamiliar:  {"plan_account", "first_phone_contact"},
		customer.Established: {"first_visit", "initial_research", "first_proposal"},
		customer.Evaluation:  {"demonstration", "technical_exchange"},
		customer.Growth:      {"needs_analysis", "formal_proposal", "project_evaluation"},
		customer.Mature:      {"negotiation", "contract_signing", "repeat_purchase"},
	}
	for _, s := range customer.Stages() {
		var codes []string
		for _, task := range s.Tasks() {
			require.NotEmpty(t, task.Title)
			codes = append(codes, task.Code)
		}
		require.Equal(t, want[s], codes, "tasks of %s", s)
	}
	require.Nil(t, customer.Stage(0).Tasks())
	require.Nil(t, customer.Stage(9).Tasks())
	tasks := customer.Mature.Tasks()
	tasks[0].Code = "changed"
	require.Equal(t, "negotiation", customer.Mature.Tasks()[0].Code, "Tasks returns a copy")
}

// entVisit returns a valid visit with status s.
func entVisit(s customer.VisitStatus) customer.Visit {
	v := customer.Visit{
		ID: entID(50), Tenant: "acme", CustomerID: entID(1), Salesperson: "mgr.zhang",
		Kind: customer.NewVisit, Purpose: "first visit", Method: customer.FaceToFace,
		PlannedAt: entAt, Duration: time.Hour, Status: s,
	}
	if s == customer.VisitDone {
		v.Outcome, v.DoneAt = "met the buyer", entAt.Add(time.Hour)
	}
	return v
}

func TestVisitTransitions(t *testing.T) {
	t.Parallel()
	ops := map[customer.VisitStatus]func(*customer.Visit) error{
		customer.VisitDone:      func(v *customer.Visit) error { return v.Complete("signed the order", entAt) },
		customer.VisitCancelled: func(v *customer.Visit) error { return v.Cancel("customer abroad") },
		customer.VisitMissed:    func(v *customer.Visit) error { return v.Miss("traffic") },
	}
	from := []customer.VisitStatus{0, customer.VisitPlanned, customer.VisitDone, customer.VisitCancelled, customer.VisitMissed}
	for _, f := range from {
		for _, to := range []customer.VisitStatus{customer.VisitDone, customer.VisitCancelled, customer.VisitMissed} {
			allowed := slices.Contains(entVisitAllowed[f], to)
			t.Run(f.String()+"->"+to.String(), func(t *testing.T) {
				t.Parallel()
				v := entVisit(f)
				before := v
				err := ops[to](&v)
				if !allowed {
					require.ErrorIs(t, err, crm.ErrInvalidTransition)
					var te *crm.TransitionError
					require.ErrorAs(t, err, &te)
					require.Equal(t, "visit status", te.Machine)
					require.Equal(t, f.String(), te.From)
					require.Equal(t, to.String(), te.To)
					require.Equal(t, before, v, "a refused transition changes nothing")
					return
				}
				require.NoError(t, err)
				require.Equal(t, to, v.Status)
				switch to {
				case customer.VisitDone:
					require.Equal(t, "signed the order", v.Outcome)
					require.True(t, entAt.Equal(v.DoneAt))
					require.Equal(t, time.UTC, v.DoneAt.Location())
				case customer.VisitCancelled:
					require.Equal(t, "customer abroad", v.Outcome, "the reason is kept as the outcome")
				case customer.VisitMissed:
					require.Equal(t, "traffic", v.Outcome)
				}
				require.NoError(t, v.Validate(), "the result is a valid visit")
			})
		}
	}
}

func TestVisitCloseRefusesBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		op   func(*customer.Visit) error
		path string
	}{
		{"complete without outcome", func(v *customer.Visit) error { return v.Complete("", entAt) }, "outcome"},
		{"complete with overlong outcome", func(v *customer.Visit) error {
			return v.Complete(strings.Repeat("o", customer.MaxOutcomeLen+1), entAt)
		}, "outcome"},
		{"complete with outcome not UTF-8", func(v *customer.Visit) error { return v.Complete("\xff", entAt) }, "outcome"},
		{"complete without time", func(v *customer.Visit) error { return v.Complete("ok", time.Time{}) }, "at"},
		{"cancel with overlong reason", func(v *customer.Visit) error {
			return v.Cancel(strings.Repeat("r", customer.MaxOutcomeLen+1))
		}, "reason"},
		{"miss with reason not UTF-8", func(v *customer.Visit) error { return v.Miss("\xfe") }, "reason"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := entVisit(customer.VisitPlanned)
			before := v
			err := tc.op(&v)
			require.ErrorIs(t, err, crm.ErrInvalid)
			entPath(t, err, tc.path)
			require.Equal(t, before, v)
		})
	}
}

func TestVisitValidate(t *testing.T) {
	t.Parallel()
	for _, s := range []customer.VisitStatus{customer.VisitPlanned, customer.VisitDone, customer.VisitCancelled, customer.VisitMissed} {
		require.NoError(t, entVisit(s).Validate(), s.String())
	}
	tests := []struct {
		name string
		mod  func(*customer.Visit)
		path string
	}{
		{"zero id", func(v *customer.Visit) { v.ID = crm.NilID }, "id"},
		{"bad tenant", func(v *customer.Visit) { v.Tenant = "a b" }, "tenant"},
		{"zero customer", func(v *customer.Visit) { v.CustomerID = crm.NilID }, "customer_id"},
		{"empty salesperson", func(v *customer.Visit) { v.Salesperson = "" }, "salesperson"},
		{"unknown kind", func(v *customer.Visit) { v.Kind = 3 }, "kind"},
		{"empty purpose", func(v *customer.Visit) { v.Purpose = "" }, "purpose"},
		{"overlong purpose", func(v *customer.Visit) { v.Purpose = strings.Repeat("p", customer.MaxOutcomeLen+1) }, "purpose"},
		{"unknown method", func(v *customer.Visit) { v.Method = 0 }, "method"},
		{"zero planned time", func(v *customer.Visit) { v.PlannedAt = time.Time{} }, "planned_at"},
		{"negative duration", func(v *customer.Visit) { v.Duration = -time.Minute }, "duration"},
		{"duration over a day", func(v *customer.Visit) { v.Duration = 25 * time.Hour }, "duration"},
		{"unknown status", func(v *customer.Visit) { v.Status = 0 }, "status"},
		{"done without outcome", func(v *customer.Visit) { v.Status, v.DoneAt = customer.VisitDone, entAt }, "outcome"},
		{"done without time", func(v *customer.Visit) { v.Status, v.Outcome = customer.VisitDone, "ok" }, "done_at"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := entVisit(customer.VisitPlanned)
			tc.mod(&v)
			err := v.Validate()
			require.ErrorIs(t, err, crm.ErrInvalid)
			entPath(t, err, tc.path)
		})
	}
}
