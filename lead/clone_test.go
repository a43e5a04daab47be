package lead_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/lead"
)

// TestCloneIsolation changes a clone with every mutating method and checks
// the original (and a second clone) still reads as before: copy-on-write
// must copy before any change, whichever method makes it.
func TestCloneIsolation(t *testing.T) {
	t.Parallel()
	p := lead.DefaultProcess("")
	scorer := testScorer(t)
	cases := []struct {
		name  string
		stage lead.Stage
		apply func(l *lead.Lead, m int) error
	}{
		{"Move", lead.StageNew, func(l *lead.Lead, m int) error { return l.Move(&p, lead.StageContacted, chg(m)) }},
		{"Disqualify", lead.StageNew, func(l *lead.Lead, m int) error {
			ch := chg(m)
			ch.Reason = "spam"
			return l.Move(&p, lead.StageDisqualified, ch)
		}},
		{"MarkConverted", lead.StageQualified, func(l *lead.Lead, m int) error { return l.MarkConverted(idCust, crm.NilID, chg(m)) }},
		{"RecordContact", lead.StageNew, func(l *lead.Lead, m int) error { return l.RecordContact(chg(m)) }},
		{"Assign", lead.StageNew, func(l *lead.Lead, m int) error { return l.Assign("rep-1", chg(m)) }},
		{"SetKeyProspect", lead.StageNew, func(l *lead.Lead, m int) error { return l.SetKeyProspect(true, chg(m)) }},
		{"LinkCustomer", lead.StageNew, func(l *lead.Lead, m int) error { return l.LinkCustomer(idCust, chg(m)) }},
		{"Attach", lead.StageNew, func(l *lead.Lead, m int) error {
			in := validInput()
			in.ID, in.Emails, in.Phones = nthID(7), []string{"other@example.com"}, nil
			dup, err := lead.New(in, chg(m))
			if err != nil {
				return err
			}
			return l.Attach(dup, chg(m))
		}},
		{"ApplyScore", lead.StageNew, func(l *lead.Lead, m int) error {
			_, err := l.ApplyScore(scorer, nil, chg(m))
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			base, m := atStage(t, tc.stage)
			want := base.Record()
			other := base.Clone()
			c := base.Clone()
			require.NoError(t, tc.apply(c, m+1))
			require.NotEqual(t, want, c.Record(), "the clone changed")
			require.Equal(t, want, base.Record(), "the original did not")
			require.Equal(t, want, other.Record(), "nor another clone")
			require.Empty(t, base.PendingHistory())
		})
	}
}

// TestClonesChangeConcurrently changes many clones of one lead at once
// while others read the original: the race detector must see no shared
// write.
func TestClonesChangeConcurrently(t *testing.T) {
	t.Parallel()
	base := newLead(t)
	lead.ClearPendingForTest(base)
	snap := base.Clone() // as a store keeps it
	want := snap.Record()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(2)
		go func() {
			defer wg.Done()
			c := snap.Clone()
			if err := c.Assign(crm.UserID("rep-"+string(rune('a'+i))), chg(1)); err != nil {
				errs[i] = err
				return
			}
			errs[i] = c.RecordContact(chg(2))
		}()
		go func() {
			defer wg.Done()
			_ = snap.Clone().Record()
			_ = snap.Owner()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, want, snap.Record())
}
