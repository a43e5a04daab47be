package postgres

import (
	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// suggestionTable is the fixture of the suggestions table.
var suggestionTable = &relTable[*customer.Suggestion, customer.SuggestionQuery]{
	what: "suggestion", name: "Suggestions", table: "suggestions", tag: curSuggestions,
	cols: []string{"author_id", "category", "status", "made_at"},
	row: func(x *customer.Suggestion, version int64) ([]any, []byte, error) {
		rec := x.Record()
		rec.Version = version
		doc, err := encodeDoc(rec, rec.Value, rec.History)
		return []any{uuidArg(x.Author()), x.Category(), x.Status().String(), at(x.MadeAt())}, doc, err
	},
	decode: func(version int64, b []byte) (*customer.Suggestion, error) {
		return decodeDoc("suggestion", version, b, func(r *customer.SuggestionRecord, version int64, value crm.Money, vs []*exactMoney) error {
			r.Version, r.Value = version, value
			return setStepValues(r.History, vs)
		}, suggestionHooks.Adopt)
	},
	where: func(q customer.SuggestionQuery, arg func(any) string) []string {
		var conds []string
		if !q.Author.IsZero() {
			conds = append(conds, "author_id = "+arg(uuidArg(q.Author)))
		}
		if q.Category != "" {
			conds = append(conds, "category = "+arg(q.Category))
		}
		if len(q.Statuses) > 0 {
			conds = append(conds, "status = ANY ("+arg(names(q.Statuses))+"::text[])")
		}
		return period(conds, "made_at", q.MadeFrom, q.MadeTo, arg)
	},
	match: customer.SuggestionQuery.Matches,
	check: customer.SuggestionQuery.Validate,
	saved: suggestionHooks.Saved,
}

// suggestionStore implements customer.SuggestionStore.
type suggestionStore struct {
	relPort[*customer.Suggestion, customer.SuggestionQuery]
}

var _ customer.SuggestionStore = (*suggestionStore)(nil)
