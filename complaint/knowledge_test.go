package complaint_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

func kbSolutions() []complaint.Solution {
	return []complaint.Solution{
		{ComplaintID: hsID(5), Category: "billing", Text: "Customer was charged twice for the property fee; refunded the duplicate charge.", Remedy: complaint.Refund},
		{ComplaintID: hsID(1), Category: "window", CategoryPath: []string{"product_quality", "leak", "window"},
			Text: "Rain water leaks through the bedroom window frame. Root cause: sealant missing. Resealed the frame.", Remedy: complaint.Repair},
		{ComplaintID: hsID(2), Category: "roof", CategoryPath: []string{"product_quality", "leak", "roof"},
			Text: "Water leaking from the ceiling after heavy rain. Cracked roof tiles replaced.", Remedy: complaint.Repair},
		{ComplaintID: hsID(3), Category: "delivery", Text: "The sofa was delivered late and the customer waited all day.", Remedy: complaint.Apology},
		{ComplaintID: hsID(4), Category: "window", CategoryPath: []string{"product_quality", "leak", "window"},
			Text: "窗户漏水，密封胶老化，重新打胶处理。", Remedy: complaint.Repair},
		{ComplaintID: hsID(6), Category: "service_attitude", Text: "Staff were rude on the phone; apologised and trained the team.", Remedy: complaint.Apology},
	}
}

func kbIndex(t testing.TB) *complaint.Index {
	t.Helper()
	ix, err := complaint.NewIndex(kbSolutions())
	require.NoError(t, err)
	return ix
}

func kbIDs(ss []complaint.Suggestion) []crm.ID {
	var out []crm.ID
	for _, s := range ss {
		out = append(out, s.Solution.ComplaintID)
	}
	return out
}

func TestSuggestRanking(t *testing.T) {
	t.Parallel()
	ix := kbIndex(t)
	require.Equal(t, 6, ix.Len())
	tests := []struct {
		name  string
		q     complaint.SolutionQuery
		k     int
		want  []crm.ID
		terms []string // reasons of the first suggestion
		depth int
	}{
		{"leak text ranks leak solutions first", complaint.SolutionQuery{Text: "Water is leaking through my window when it rains"}, 3,
			[]crm.ID{hsID(1), hsID(2)}, []string{"through", "window", "leak", "rain", "water"}, 0},
		{"category boost breaks a text tie", complaint.SolutionQuery{Category: "roof", CategoryPath: []string{"product_quality", "leak", "roof"}, Text: "water leak"}, 2,
			[]crm.ID{hsID(2), hsID(1)}, []string{"leak", "water"}, 3},
		{"category alone finds the subtree", complaint.SolutionQuery{Category: "window", CategoryPath: []string{"product_quality", "leak", "window"}}, 10,
			[]crm.ID{hsID(1), hsID(4), hsID(2)}, nil, 3},
		{"chinese by character pairs", complaint.SolutionQuery{Text: "卫生间窗户漏水了"}, 5, []crm.ID{hsID(4)}, []string{"户漏", "漏水", "窗户"}, 0},
		{"billing", complaint.SolutionQuery{Category: "billing", Text: "charged twice"}, 1, []crm.ID{hsID(5)}, []string{"charg", "twice"}, 1},
		{"nothing matches", complaint.SolutionQuery{Category: "parking", Text: "zzz"}, 5, nil, nil, 0},
		{"stop words only", complaint.SolutionQuery{Text: "the and of"}, 5, nil, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ix.Suggest(tc.q, tc.k)
			require.NoError(t, err)
			require.Equal(t, tc.want, kbIDs(got))
			for i := 1; i < len(got); i++ {
				require.GreaterOrEqual(t, got[i-1].Score, got[i].Score)
			}
			if len(got) > 0 {
				require.Equal(t, tc.terms, got[0].Reasons.Terms)
				require.Equal(t, tc.depth, got[0].Reasons.CategoryDepth)
				require.Positive(t, got[0].Score)
			}
		})
	}
}

func TestSuggestTiesByID(t *testing.T) {
	t.Parallel()
	var sols []complaint.Solution
	for _, n := range []int{9, 3, 7, 1, 5} {
		sols = append(sols, complaint.Solution{ComplaintID: hsID(n), Category: "leak", Text: "leak fixed"})
	}
	ix, err := complaint.NewIndex(sols)
	require.NoError(t, err)
	got, err := ix.Suggest(complaint.SolutionQuery{Category: "leak", Text: "leak"}, 3)
	require.NoError(t, err)
	require.Equal(t, []crm.ID{hsID(1), hsID(3), hsID(5)}, kbIDs(got))
	require.Equal(t, got[0].Score, got[2].Score)

	// The input slice is not changed by indexing.
	require.Equal(t, hsID(9), sols[0].ComplaintID)
}

func TestSuggestRefusals(t *testing.T) {
	t.Parallel()
	ix := kbIndex(t)
	tests := []struct {
		name string
		q    complaint.SolutionQuery
		k    int
		path string
	}{
		{"zero k", complaint.SolutionQuery{Text: "leak"}, 0, "k"},
		{"huge k", complaint.SolutionQuery{Text: "leak"}, complaint.MaxSuggestions + 1, "k"},
		{"bad category", complaint.SolutionQuery{Category: " x", Text: "leak"}, 1, "category"},
		{"bad path", complaint.SolutionQuery{CategoryPath: []string{""}, Text: "leak"}, 1, "category_path[0]"},
		{"bad text", complaint.SolutionQuery{Text: "\xff"}, 1, "text"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ix.Suggest(tc.q, tc.k)
			require.Nil(t, got)
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tc.path), "%v", err)
		})
	}
	empty, err := complaint.NewIndex(nil)
	require.NoError(t, err)
	got, err := empty.Suggest(complaint.SolutionQuery{Text: "leak"}, 1)
	require.NoError(t, err)
	require.Empty(t, got)
	var none *complaint.Index
	require.Zero(t, none.Len())
}

func TestNewIndexRefusals(t *testing.T) {
	t.Parallel()
	ok := complaint.Solution{ComplaintID: hsID(1), Category: "leak", Text: "leak"}
	tests := []struct {
		name string
		sols []complaint.Solution
		path string
	}{
		{"no id", []complaint.Solution{{Category: "leak", Text: "x"}}, "solutions[0].complaint_id"},
		{"duplicate id", []complaint.Solution{ok, ok}, "solutions[1].complaint_id"},
		{"no category", []complaint.Solution{{ComplaintID: hsID(1), Text: "x"}}, "solutions[0].category"},
		{"bad path", []complaint.Solution{{ComplaintID: hsID(1), Category: "leak", CategoryPath: []string{"a", " "}, Text: "x"}}, "solutions[0].category_path[1]"},
		{"no text", []complaint.Solution{{ComplaintID: hsID(1), Category: "leak", Text: " "}}, "solutions[0].text"},
		{"bad text", []complaint.Solution{{ComplaintID: hsID(1), Category: "leak", Text: "\xff"}}, "solutions[0].text"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ix, err := complaint.NewIndex(tc.sols)
			require.Nil(t, ix)
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tc.path), "%v", err)
		})
	}
}

func TestSolutionOf(t *testing.T) {
	t.Parallel()
	for _, s := range complaint.Statuses() {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			c, _ := at(t, s)
			sol, err := complaint.SolutionOf(c)
			if s != complaint.Resolved && s != complaint.Closed {
				require.ErrorIs(t, err, crm.ErrInvalid)
				require.Zero(t, sol)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.ID(), sol.ComplaintID)
			require.Equal(t, "window", sol.Category)
			require.Equal(t, complaint.Repair, sol.Remedy)
			require.Equal(t, strings.Join([]string{c.Description(), "sealant missing", "Resealed the window frame",
				"reseal", "check sealant at handover"}, "\n"), sol.Text)
		})
	}
	_, err := complaint.SolutionOf(nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func FuzzSuggest(f *testing.F) {
	f.Add("Water leaks through the window", "window")
	f.Add("窗户漏水ｶﾀｶﾅ한국어 mixed ÄÖÜ leaking", "")
	f.Add("\xff\xfe", "x y")
	ix, err := complaint.NewIndex(kbSolutions())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text, cat string) {
		got, err := ix.Suggest(complaint.SolutionQuery{Category: cat, Text: text}, 3)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		require.LessOrEqual(t, len(got), 3)
		again, err := ix.Suggest(complaint.SolutionQuery{Category: cat, Text: text}, 3)
		require.NoError(t, err)
		require.Equal(t, got, again)
		for _, s := range got {
			require.Positive(t, s.Score)
		}
		// The text also indexes as a solution without panic.
		if strings.TrimSpace(text) != "" {
			_, err = complaint.NewIndex([]complaint.Solution{{ComplaintID: hsID(1), Category: "x", Text: text}})
			require.NoError(t, err)
		}
	})
}

func TestIndexConcurrentSuggest(t *testing.T) {
	t.Parallel()
	ix := kbIndex(t)
	want, err := ix.Suggest(complaint.SolutionQuery{Text: "water leak"}, 3)
	require.NoError(t, err)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			got, err := ix.Suggest(complaint.SolutionQuery{Text: "water leak"}, 3)
			if err == nil && len(got) != len(want) {
				err = crm.ErrConflict
			}
			errs <- err
		}()
	}
	for range 4 {
		require.NoError(t, <-errs)
	}
}

// TestSuggestTopKMatchesFullRanking checks that the best k equal the first
// k of the full ranking, on a random corpus where scores differ.
func TestSuggestTopKMatchesFullRanking(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	words := []string{"leak", "window", "roof", "noise", "lift", "fee", "rude", "late", "crack", "wall", "water", "door"}
	var sols []complaint.Solution
	for i := range 300 {
		var b strings.Builder
		for range 3 + rng.IntN(12) {
			b.WriteString(words[rng.IntN(len(words))] + " ")
		}
		sols = append(sols, complaint.Solution{ComplaintID: hsID(1000 - i), Category: words[rng.IntN(4)], Text: b.String()})
	}
	ix, err := complaint.NewIndex(sols)
	require.NoError(t, err)
	for i := range 20 {
		q := complaint.SolutionQuery{Category: words[i%4], Text: words[rng.IntN(len(words))] + " " + words[rng.IntN(len(words))]}
		all, err := ix.Suggest(q, complaint.MaxSuggestions)
		require.NoError(t, err)
		for _, k := range []int{1, 5, 17} {
			top, err := ix.Suggest(q, k)
			require.NoError(t, err)
			require.Equal(t, all[:k], top, "query %v k %d", q, k)
		}
		for j := 1; j < len(all); j++ {
			a, b := all[j-1], all[j]
			require.True(t, a.Score > b.Score || (a.Score == b.Score && a.Solution.ComplaintID.Compare(b.Solution.ComplaintID) < 0))
		}
	}
}
