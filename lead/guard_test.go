package lead_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/storage/memory"
)

// lying is a lead store that hands back another lead than the one asked
// for: the guard must notice.
type lying struct {
	lead.Store
	other *lead.Lead
}

func (s *lying) Get(context.Context, crm.TenantID, crm.ID) (*lead.Lead, error) {
	return s.other.Clone(), nil
}

func TestGuardOfGuardIsItself(t *testing.T) {
	t.Parallel()
	g := memory.New(nil).Leads()
	require.Same(t, g, lead.Guard(g))
	require.Nil(t, lead.Guard(nil))
}

func TestGuardUpdateKeepsIdentity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New(nil).Leads()
	l := newLead(t)
	require.NoError(t, st.Create(ctx, l))
	before, err := st.Get(ctx, tenantA, idL)
	require.NoError(t, err)
	forged := newLead(t).Record()
	forged.ID = nthID(7)
	other, err := lead.FromRecord(forged)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		fn   func(*lead.Lead) error
		path string
	}{
		{"another lead", func(x *lead.Lead) error { *x = *other.Clone(); return nil }, "id"},
		{"another version", func(x *lead.Lead) error { lead.SavedForTest(x, 9); return nil }, "version"},
		{"another capture time", func(x *lead.Lead) error {
			r := x.Record()
			r.CapturedAt, r.Reached[0] = r.CapturedAt.Add(-1), r.Reached[0].Add(-1)
			r.Touches[0].At = r.CapturedAt
			y, err := lead.FromRecord(r)
			if err != nil {
				return err
			}
			*x = *y
			return nil
		}, "captured_at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := st.Update(ctx, tenantA, idL, tc.fn)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tc.path), "%v", err)
			after, err := st.Get(ctx, tenantA, idL)
			require.NoError(t, err)
			require.Equal(t, before.Record(), after.Record())
		})
	}
	t.Run("panic", func(t *testing.T) {
		require.Panics(t, func() {
			_, _ = st.Update(ctx, tenantA, idL, func(x *lead.Lead) error {
				require.NoError(t, x.Assign("mallory", chg(30)))
				panic("host bug")
			})
		})
		after, err := st.Get(ctx, tenantA, idL)
		require.NoError(t, err)
		require.Equal(t, before.Record(), after.Record())
	})
}

func TestGuardArguments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New(nil).Leads()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, st.Create(cancelled, newLead(t)), context.Canceled)
	_, err := st.Get(ctx, tenantA, idL)
	require.ErrorIs(t, err, crm.ErrNotFound, "a cancelled create stored nothing")
	require.ErrorIs(t, st.Create(ctx, nil), crm.ErrInvalid)
	saved := newLead(t)
	lead.SavedForTest(saved, 3)
	require.ErrorIs(t, st.Create(ctx, saved), crm.ErrInvalid, "version 3")
	_, err = st.Get(ctx, "", idL)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = st.Get(ctx, tenantA, crm.NilID)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = st.Update(ctx, tenantA, idL, nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = st.FindByContact(ctx, tenantA, []string{"a@example.com"}, nil, -1)
	require.ErrorIs(t, err, crm.ErrInvalid)
	many := make([]string, lead.MaxContactKeys+1)
	for i := range many {
		many[i] = strings.Repeat("x", 5) + nthID(i).String()
	}
	_, err = st.FindByContact(ctx, tenantA, many, nil, 10)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = st.List(ctx, tenantA, lead.Query{Owner: "x", Unassigned: true}, crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = st.UpdateAssignment(ctx, tenantA, strings.Repeat("t", 1000), func(*lead.AssignmentState) error { return nil })
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = st.Campaigns().Get(ctx, tenantA, crm.NilID)
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestGuardNoticesAnotherRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	forged := newLead(t).Record()
	forged.Tenant = "other"
	other, err := lead.FromRecord(forged)
	require.NoError(t, err)
	st := lead.Guard(&lying{Store: memory.New(nil).Leads(), other: other})
	_, err = st.Get(ctx, tenantA, idL)
	require.ErrorIs(t, err, crm.ErrCorrupt)
}

func TestGuardMarksSavedAndClonesShareNothingChangeable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New(nil).Leads()
	l := newLead(t)
	require.NotEmpty(t, l.PendingHistory())
	require.NoError(t, st.Create(ctx, l))
	require.Equal(t, int64(1), l.Version())
	require.Empty(t, l.PendingHistory())
	require.Empty(t, l.Events())

	c := l.Clone()
	dup, err := lead.New(lead.NewInput{ID: nthID(3), Tenant: tenantA, Emails: []string{"x@example.com"},
		Channel: l.Channel(), Source: l.Source(), Attributes: map[string]string{"new": "1"}}, chg(5))
	require.NoError(t, err)
	require.NoError(t, c.Attach(dup, chg(5)))
	require.NotContains(t, l.Attributes(), "new", "a change of a clone reaches the original")
	require.Len(t, l.Contacts(), 2)
	r := l.Record()
	r.Attributes["forged"] = "1"
	r.Contacts[0].Raw = "forged"
	require.NotContains(t, l.Attributes(), "forged", "a record shares the lead's maps")
	require.NotEqual(t, "forged", l.Contacts()[0].Raw)
}
