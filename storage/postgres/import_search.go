package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// TextSearch says how Query.Text finds customers, and so which indexes
// Migrate keeps for it (see "Text search and import speed" in the package
// documentation). The zero value is SubstringSearch.
type TextSearch uint8

const (
	// SubstringSearch finds a customer whose name or e-mail address
	// contains the text, or one of whose phone numbers contains its
	// digits, exactly as customer.Query.Matches does, on two trigram
	// (pg_trgm GIN) indexes. They cost about half of the server's time in
	// a bulk import.
	SubstringSearch TextSearch = iota
	// PrefixSearch finds a customer whose name begins with the text, or
	// whose first phone number (E.164, without its "+") begins with the
	// text's digits, on two b-tree indexes, far cheaper to maintain: for
	// hosts that search by the start of a name and import in bulk. Case is
	// ignored as in SubstringSearch. It differs from
	// customer.Query.Matches (which the in-memory store uses) for text in
	// the middle of a name, in an e-mail address or in a later phone
	// number.
	PrefixSearch
)

var textSearchNames = [...]string{SubstringSearch: "substring", PrefixSearch: "prefix"}

// String returns the mode's name: "substring" or "prefix".
func (m TextSearch) String() string {
	if m.Valid() {
		return textSearchNames[m]
	}
	return "TextSearch(" + strconv.Itoa(int(m)) + ")"
}

// Valid reports whether m is one of the declared modes.
func (m TextSearch) Valid() bool { return int(m) < len(textSearchNames) }

// textIndexes returns the statements that make the text search indexes
// those of mode, dropping the other mode's: Migrate runs them after the
// migrations, so that changing Options.TextSearch and migrating again
// switches an existing schema (rebuilding the indexes; the trigram
// indexes take about a second per 100,000 customers).
func textIndexes(schema, trgm string, mode TextSearch) []string {
	t := schema + ".customers"
	if mode == PrefixSearch {
		return []string{
			"DROP INDEX IF EXISTS " + schema + ".customers_text_idx",
			"DROP INDEX IF EXISTS " + schema + ".customers_phones_idx",
			"CREATE INDEX IF NOT EXISTS customers_text_prefix_idx ON " + t + " (tenant_id, search_text text_pattern_ops)",
			"CREATE INDEX IF NOT EXISTS customers_phones_prefix_idx ON " + t + " (tenant_id, search_phones text_pattern_ops)",
		}
	}
	return []string{
		"DROP INDEX IF EXISTS " + schema + ".customers_text_prefix_idx",
		"DROP INDEX IF EXISTS " + schema + ".customers_phones_prefix_idx",
		"CREATE INDEX IF NOT EXISTS customers_text_idx ON " + t + " USING gin (tenant_id, search_text " + trgm + ".gin_trgm_ops)",
		"CREATE INDEX IF NOT EXISTS customers_phones_idx ON " + t + " USING gin (tenant_id, search_phones " + trgm + ".gin_trgm_ops)",
	}
}

// migrateTextSearch makes the text search indexes those of the store's
// mode (see textIndexes), in Migrate's transaction.
func (s *Store) migrateTextSearch(ctx context.Context, tx pgx.Tx, trgm string) error {
	for _, stmt := range textIndexes(quoteIdent(s.schema), quoteIdent(trgm), s.textSearch) {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("postgres: migrate: text search indexes: %w", s.mapErr(ctx, "migrate", err))
		}
	}
	return nil
}

// textCondition returns the condition of Query.Text t (lower-cased and
// trimmed, not empty) for mode, its arguments numbered from next; false
// when no stored customer can match.
func textCondition(mode TextSearch, t string, next int) (string, []any, bool) {
	var or []string
	var args []any
	add := func(col, pattern string) {
		args = append(args, pattern)
		or = append(or, col+" LIKE $"+strconv.Itoa(next+len(args)-1))
	}
	prefix := mode == PrefixSearch
	if storable(t) && !strings.Contains(t, searchSep) {
		if prefix {
			add("search_text", escapeLike(t)+"%")
		} else {
			add("search_text", "%"+escapeLike(t)+"%")
		}
	}
	if d := onlyDigits(t); d != "" {
		if prefix {
			add("search_phones", "+"+d+"%")
		} else {
			add("search_phones", "%"+d+"%")
		}
	}
	if len(or) == 0 {
		return "", nil, false
	}
	cond := or[0]
	if len(or) == 2 {
		cond = "(" + or[0] + " OR " + or[1] + ")"
	}
	return cond, args, true
}
