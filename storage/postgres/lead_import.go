package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/lead"
)

// LeadImporter is lead.Importer, the optional capability of storing many
// new leads at once, with COPY. Store.Leads() has it (behind lead.Guard,
// which checks every lead first):
//
//	if imp, ok := store.Leads().(lead.Importer); ok {
//		err = imp.ImportLeads(ctx, batch)
//	}
//
// The import is all or nothing; leads may belong to different tenants.
type LeadImporter = lead.Importer

var _ LeadImporter = (*leadStore)(nil)

var (
	leadColumns        = []string{"tenant_id", "id", "version", "team", "stage", "open", "owner_id", "source", "campaign_id", "customer_id", "captured_at", "uncontacted", "clock_start", "doc"}
	leadContactColumns = []string{"tenant_id", "kind", "key", "lead_id"}
	leadHistoryColumns = []string{"tenant_id", "lead_id", "seq", "kind", "from_value", "to_value", "at", "at_nanos", "actor", "reason"}
)

// ImportLeads implements LeadImporter with COPY into the leads, contact
// key and history tables, inside the transaction in ctx or one of its own.
// An ID already stored fails the whole import with crm.ErrDuplicate. With
// Options.RowLevelSecurity on (PostgreSQL refuses COPY into tables whose
// policies bind the role) each lead is stored by Create's statements in
// the same single transaction instead.
func (ls *leadStore) ImportLeads(ctx context.Context, leads []*lead.Lead) error {
	const op = "postgres.Leads.ImportLeads"
	var v crm.Validator
	rows := make([]leadRow, len(leads))
	for i, l := range leads {
		if l == nil || l.Version() != 0 {
			v.Addf(fmt.Sprintf("leads[%d]", i), "must be a new lead")
			continue
		}
		var err error
		if rows[i], err = encodeLead(l, 1); err != nil {
			v.Merge(fmt.Sprintf("leads[%d]", i), err)
		}
	}
	if err := v.Err(op); err != nil {
		return fmt.Errorf("postgres: import leads: %w", err)
	}
	if len(leads) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: import leads: %w", err)
	}
	s := ls.s
	err := s.atomic(ctx, leads[0].Tenant(), func(tx pgx.Tx) error {
		if s.rls {
			// Each lead under its own tenant; then back to the first
			// one's, which atomic set and the transaction remembers.
			setTenant := func(t crm.TenantID) error {
				_, err := tx.Exec(ctx, "SELECT set_config('crm.tenant', $1, true)", string(t))
				return err
			}
			for i, l := range leads {
				if err := setTenant(l.Tenant()); err != nil {
					return err
				}
				var one int
				if err := tx.QueryRow(ctx, ls.sql.create, rows[i].args...).Scan(&one); err != nil {
					if errors.Is(err, pgx.ErrNoRows) {
						return fmt.Errorf("postgres: import leads: lead %s: %w", l.ID(), crm.ErrDuplicate)
					}
					return err
				}
				if err := ls.writeRest(ctx, tx, l.Tenant(), l.ID(), rows[i]); err != nil {
					return err
				}
			}
			return setTenant(leads[0].Tenant())
		}
		n, err := tx.CopyFrom(ctx, pgx.Identifier{s.schema, "leads"}, leadColumns,
			pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) { return rows[i].args, nil }))
		if err != nil {
			return err
		}
		if n != int64(len(rows)) {
			return fmt.Errorf("postgres: import leads: copied %d of %d rows", n, len(rows))
		}
		var contacts, hist [][]any
		for i := range rows {
			r := &rows[i]
			tenant, id := r.args[0], r.args[1]
			for j := range r.keys {
				contacts = append(contacts, []any{tenant, r.kinds[j], r.keys[j], id})
			}
			if r.hasHist {
				h := r.hist
				seq := h[2].([]int64)
				for j := range seq {
					hist = append(hist, []any{tenant, id, seq[j], h[3].([]string)[j], h[4].([]string)[j], h[5].([]string)[j],
						h[6].([]time.Time)[j], h[7].([]int32)[j], h[8].([]string)[j], h[9].([]string)[j]})
				}
			}
		}
		if len(contacts) > 0 {
			// A lead holds each key once (lead.New de-duplicates).
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{s.schema, "lead_contacts"}, leadContactColumns, pgx.CopyFromRows(contacts)); err != nil {
				return err
			}
		}
		if len(hist) > 0 {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{s.schema, "lead_history"}, leadHistoryColumns, pgx.CopyFromRows(hist)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return ls.err(ctx, "import leads", err)
	}
	for _, l := range leads {
		leadHooks.Saved(l, 1)
	}
	return nil
}
