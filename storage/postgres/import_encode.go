package postgres

import (
	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// encodeImport encodes a new customer for COPY: its customers row (in
// customerColumns order, at version 1) into row, and its pending history
// as historyColumns rows appended to hist. It writes what encodeCustomer
// writes (a test holds them equal) but does not rebuild the customer with
// customer.FromRecord: every customer reaches an import through
// customer.Guard, which checked it as FromRecord would, and rebuilding
// was a third of the import's client CPU. The checks that are the store's
// own (text PostgreSQL cannot hold, times out of range, history entries
// that do not belong to the customer) still run.
func encodeImport(op string, c *customer.Customer, row []any, hist [][]any) ([][]any, error) {
	r := c.Record()
	var v crm.Validator
	tc := textChecker{&v}
	_ = encodeFields(tc, r, 1, row[:0]) // fills the caller's row in place
	tenant := string(r.Tenant)
	start := len(hist)
	for i, e := range customerHooks.Pending(c) {
		checkHistoryEntry(tc, r.ID, i, e)
		hist = append(hist, []any{tenant, uuidArg(e.CustomerID), uuidArg(e.OriginID), e.Seq, e.Kind.String(),
			e.From, e.To, e.At, string(e.Actor), e.Reason})
	}
	if err := v.Err(op); err != nil {
		return hist[:start], err
	}
	return hist, nil
}
