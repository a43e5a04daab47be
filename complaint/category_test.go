package complaint_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

func TestCategoryPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		want []string
	}{
		{"window", []string{"product_quality", "leak", "window"}},
		{"leak", []string{"product_quality", "leak"}},
		{"billing", []string{"billing"}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			got, err := leakTree.Path(tt.code)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	_, err := leakTree.Path("roof")
	require.ErrorIs(t, err, crm.ErrInvalid)
	var nilTree *complaint.CategoryTree
	_, err = nilTree.Path("x")
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func chain(n int) []complaint.Category {
	cats := []complaint.Category{{Code: "c0"}}
	for i := 1; i < n; i++ {
		cats = append(cats, complaint.Category{Code: "c" + string(rune('0'+i)), Parent: "c" + string(rune('0'+i-1))})
	}
	return cats
}

func TestNewCategoryTreeRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cats []complaint.Category
		path string
	}{
		{"empty code", []complaint.Category{{Code: ""}}, "categories[0].code"},
		{"spaces", []complaint.Category{{Code: " a"}}, "categories[0].code"},
		{"long code", []complaint.Category{{Code: strings.Repeat("a", 65)}}, "categories[0].code"},
		{"duplicate", []complaint.Category{{Code: "a"}, {Code: "a"}}, "categories[1].code"},
		{"unknown parent", []complaint.Category{{Code: "a", Parent: "b"}}, "categories[0].parent"},
		{"cycle", []complaint.Category{{Code: "a", Parent: "b"}, {Code: "b", Parent: "a"}}, "categories[0]"},
		{"self parent", []complaint.Category{{Code: "a", Parent: "a"}}, "categories[0]"},
		{"too deep", chain(complaint.MaxCategoryDepth + 1), "categories[6]"},
		{"bad name", []complaint.Category{{Code: "a", Name: "\xff"}}, "categories[0].name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := complaint.NewCategoryTree(tt.cats)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.True(t, ve.Has(tt.path), "want %s in %v", tt.path, err)
		})
	}
	_, err := complaint.NewCategoryTree(chain(complaint.MaxCategoryDepth))
	require.NoError(t, err)
}

func TestCategoryTreeJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(leakTree)
	require.NoError(t, err)
	var got complaint.CategoryTree
	require.NoError(t, json.Unmarshal(b, &got))
	require.Equal(t, leakTree.Categories(), got.Categories())
	require.ErrorIs(t, json.Unmarshal([]byte(`[{"code":"a","parent":"a"}]`), &got), crm.ErrInvalid)
	require.ErrorIs(t, json.Unmarshal([]byte(`{"code":1}`), &got), crm.ErrInvalid)
	require.Equal(t, leakTree.Categories(), got.Categories(), "a refused decode leaves the tree unchanged")
}

func FuzzCategoryTreeJSON(f *testing.F) {
	b, err := json.Marshal(leakTree)
	require.NoError(f, err)
	f.Add(b)
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"code":"a","parent":"a"}]`))
	f.Add([]byte(`[{"code":"a"},{"code":"b","parent":"a","name":"B"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var tree complaint.CategoryTree
		if err := json.Unmarshal(data, &tree); err != nil {
			// Malformed JSON is refused by encoding/json itself; well-formed
			// JSON that is no valid tree is refused with ErrInvalid.
			if json.Valid(data) {
				require.ErrorIs(t, err, crm.ErrInvalid)
			}
			return
		}
		for _, c := range tree.Categories() {
			p, err := tree.Path(c.Code)
			require.NoError(t, err)
			require.LessOrEqual(t, len(p), complaint.MaxCategoryDepth)
			require.Equal(t, c.Code, p[len(p)-1])
		}
		out, err := json.Marshal(&tree)
		require.NoError(t, err)
		var again complaint.CategoryTree
		require.NoError(t, json.Unmarshal(out, &again))
		require.Equal(t, tree.Categories(), again.Categories())
	})
}

func TestAsset(t *testing.T) {
	t.Parallel()
	unit := complaint.Asset{{"project", "P1"}, {"building", "B3"}, {"unit", "1502"}}
	building := complaint.Asset{{"project", "P1"}, {"building", "B3"}}
	tests := []struct {
		name   string
		a, p   complaint.Asset
		prefix bool
	}{
		{"own building", unit, building, true},
		{"itself", unit, unit, true},
		{"empty prefix", unit, nil, true},
		{"other building", unit, complaint.Asset{{"project", "P1"}, {"building", "B4"}}, false},
		{"longer prefix", building, unit, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.prefix, tt.a.HasPrefix(tt.p))
		})
	}
	require.Equal(t, building, unit.Parent())
	require.Nil(t, complaint.Asset{{"project", "P1"}}.Parent())
	require.NoError(t, unit.Validate())
	require.ErrorIs(t, complaint.Asset{{"", "x"}}.Validate(), crm.ErrInvalid)
	require.ErrorIs(t, make(complaint.Asset, complaint.MaxAssetLevels+1).Validate(), crm.ErrInvalid)
	p := unit.Parent()
	p[0].ID = "changed"
	require.Equal(t, "P1", unit[0].ID, "Parent shares nothing")
}
