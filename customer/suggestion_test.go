package customer_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

func newTestSuggestion(t testing.TB) *customer.Suggestion {
	t.Helper()
	s, err := customer.NewSuggestion(customer.SuggestionInput{ID: relID(2), Tenant: "acme", Author: relDealer,
		Subject: "Stock spare filters", Text: "Owners wait a week\nfor filters.", Category: "service"}, relCh(0, ""))
	require.NoError(t, err)
	return s
}

func TestNewSuggestion(t *testing.T) {
	t.Parallel()
	s := newTestSuggestion(t)
	require.Equal(t, customer.SuggestionSubmitted, s.Status())
	require.Equal(t, "Owners wait a week\nfor filters.", s.Text(), "text may span lines")
	ok := customer.SuggestionInput{ID: relID(2), Tenant: "acme", Author: relDealer, Subject: "s", Category: "product"}
	for _, tc := range []struct {
		name  string
		edit  func(*customer.SuggestionInput)
		field string
	}{
		{"zero id", func(in *customer.SuggestionInput) { in.ID = crm.NilID }, "id"},
		{"no author", func(in *customer.SuggestionInput) { in.Author = crm.NilID }, "author"},
		{"blank subject", func(in *customer.SuggestionInput) { in.Subject = "  " }, "subject"},
		{"subject with newline", func(in *customer.SuggestionInput) { in.Subject = "a\nb" }, "subject"},
		{"huge subject", func(in *customer.SuggestionInput) { in.Subject = strings.Repeat("字", customer.MaxSubjectLen+1) }, "subject"},
		{"huge text", func(in *customer.SuggestionInput) { in.Text = strings.Repeat("x", customer.MaxSuggestionTextLen+1) }, "text"},
		{"no category", func(in *customer.SuggestionInput) { in.Category = "" }, "category"},
		{"bad category", func(in *customer.SuggestionInput) { in.Category = "Product Line" }, "category"},
		{"long category", func(in *customer.SuggestionInput) { in.Category = strings.Repeat("a", customer.MaxRelationKeyLen+1) }, "category"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := ok
			tc.edit(&in)
			_, err := customer.NewSuggestion(in, relCh(0, ""))
			requireField(t, err, tc.field)
		})
	}
}

func TestSuggestionMoves(t *testing.T) {
	t.Parallel()
	value := crm.MustParseMoney("2500 CNY")
	reach := map[customer.SuggestionStatus]func(*customer.Suggestion) error{
		customer.SuggestionSubmitted: func(*customer.Suggestion) error { return nil },
		customer.SuggestionReviewing: func(s *customer.Suggestion) error { return s.Review(relCh(1, "")) },
		customer.SuggestionAdopted: func(s *customer.Suggestion) error {
			if err := s.Review(relCh(1, "")); err != nil {
				return err
			}
			return s.Adopt(value, relCh(1, ""))
		},
		customer.SuggestionDeclined: func(s *customer.Suggestion) error { return s.Decline(relCh(1, "duplicate")) },
	}
	move := map[customer.SuggestionStatus]func(*customer.Suggestion) error{
		customer.SuggestionSubmitted: func(*customer.Suggestion) error {
			return &crm.TransitionError{Machine: "suggestion status", From: "any", To: "submitted"} // no method moves back to submitted
		},
		customer.SuggestionReviewing: func(s *customer.Suggestion) error { return s.Review(relCh(2, "")) },
		customer.SuggestionAdopted:   func(s *customer.Suggestion) error { return s.Adopt(value, relCh(2, "")) },
		customer.SuggestionDeclined:  func(s *customer.Suggestion) error { return s.Decline(relCh(2, "not now")) },
	}
	allowed := 0
	for _, from := range customer.SuggestionStatuses() {
		for _, to := range customer.SuggestionStatuses() {
			if customer.SuggestionMoveAllowed(from, to) {
				allowed++
			}
			t.Run(from.String()+"_to_"+to.String(), func(t *testing.T) {
				t.Parallel()
				s := newTestSuggestion(t)
				require.NoError(t, reach[from](s))
				before := s.Record()
				err := move[to](s)
				if !customer.SuggestionMoveAllowed(from, to) {
					require.ErrorIs(t, err, crm.ErrInvalidTransition)
					require.Equal(t, before, s.Record())
					return
				}
				require.NoError(t, err)
				require.Equal(t, to, s.Status())
				if to == customer.SuggestionAdopted {
					require.Equal(t, value, s.Value())
					require.Equal(t, crm.UserID("mgr"), s.AdoptedBy())
					require.Equal(t, relCh(2, "").At, s.DecidedAt())
				}
				_, err = customer.SuggestionFromRecord(s.Record())
				require.NoError(t, err)
			})
		}
	}
	require.Equal(t, 4, allowed)
}

func TestSuggestionRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		do    func(s *customer.Suggestion) error
		field string
	}{
		{"adopt without value", func(s *customer.Suggestion) error {
			_ = s.Review(relCh(1, ""))
			return s.Adopt(crm.Money{}, relCh(2, ""))
		}, "value"},
		{"adopt negative", func(s *customer.Suggestion) error {
			_ = s.Review(relCh(1, ""))
			return s.Adopt(crm.MustParseMoney("-1 EUR"), relCh(2, ""))
		}, "value"},
		{"decline without reason", func(s *customer.Suggestion) error { return s.Decline(relCh(1, "")) }, "change.reason"},
		{"same category", func(s *customer.Suggestion) error { return s.Recategorise("service", relCh(1, "")) }, "category"},
		{"bad category", func(s *customer.Suggestion) error { return s.Recategorise("", relCh(1, "")) }, "category"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newTestSuggestion(t)
			requireField(t, tc.do(s), tc.field)
		})
	}
	s := newTestSuggestion(t)
	require.NoError(t, s.Recategorise("product", relCh(1, "triage")))
	require.Equal(t, "product", s.Category())
	require.NoError(t, s.Decline(relCh(2, "no")))
	require.ErrorIs(t, s.Recategorise("service", relCh(3, "")), crm.ErrInvalidTransition, "a decided suggestion keeps its category")
	back, err := customer.SuggestionFromRecord(s.Record())
	require.NoError(t, err)
	require.Equal(t, s.Record(), back.Record())
	rec := s.Record()
	rec.Category = "other"
	_, err = customer.SuggestionFromRecord(rec)
	requireField(t, err, "category")
}
