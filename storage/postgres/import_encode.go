package postgres

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// encodeImport encodes a new customer for COPY: its customers row (in
// customerColumns order, at version 1) appended to rows, and its pending
// history as historyColumns rows appended to hist, both in the binary COPY
// format (see import_copy.go). It writes what encodeCustomer writes (a
// test holds every column byte for byte to pgx's encoding of
// encodeCustomer's values) and refuses what it refuses, with the same
// problems in the same order; a refused customer leaves rows and hist as
// they were. It does not rebuild the customer with customer.FromRecord:
// every customer reaches an import through customer.Guard, which checked
// it as FromRecord would, and rebuilding was a third of the import's
// client CPU. The checks that are the store's own (text PostgreSQL cannot
// hold, times out of range, history entries that do not belong to the
// customer) still run.
//
// Nothing is built per customer but its Record's lists: the search text,
// the contact keys and the text arrays are written straight into rows.
func encodeImport(op string, c *customer.Customer, rows, hist *copyRows) error {
	r := c.Record()
	var v crm.Validator
	tc := textChecker{&v}
	rowsAt, histAt := len(rows.buf), len(hist.buf)
	checkScalars(tc, r)

	rows.row(len(customerColumns))
	rows.text(string(r.Tenant))
	rows.uuid(r.ID)
	rows.int8(1) // version
	rows.time(r.CreatedAt)
	rows.time(r.UpdatedAt)
	rows.text(r.Kind.String())
	rows.text(r.Name)
	at := rows.array(len(r.Roles))
	for _, role := range r.Roles {
		rows.text(role.String())
	}
	rows.close(at)
	// emails: each as Email.MarshalText writes it (Email.String).
	at = rows.array(len(r.Emails))
	for i, e := range r.Emails {
		f := rows.open()
		if !e.IsZero() {
			rows.buf = append(append(append(rows.buf, e.Local()...), '@'), e.Domain()...)
		}
		rows.close(f)
		if stored := rows.buf[f+4:]; !storableBytes(stored) {
			tc.check(fmt.Sprintf("emails[%d]", i), string(stored))
		}
	}
	rows.close(at)
	at = rows.array(len(r.Phones))
	for i, p := range r.Phones {
		b, err := p.MarshalText()
		if err != nil {
			v.Addf(fmt.Sprintf("phones[%d]", i), "cannot be stored")
			continue // the row is refused
		}
		if !storableBytes(b) {
			tc.check(fmt.Sprintf("phones[%d]", i), string(b))
		}
		rows.textBytes(b)
	}
	rows.close(at)
	rows.jsonb(addressesJSON(tc, r.Addresses))
	rows.jsonb(datesJSON(tc, r.Dates))
	rows.text(r.TimeZone)
	rows.jsonb(stringMap(tc, "preferences", r.Prefs))
	rows.jsonb(stringMap(tc, "attributes", r.Attrs))
	checkTags(tc, r.Tags)
	rows.texts(r.Tags)
	rows.jsonb(consentsJSON(tc, r.Consents))
	rows.text(r.Notes)
	rows.text(r.Stage.String())
	rows.text(r.Loyalty.String())
	rows.text(r.Lifecycle.String())
	rows.text(r.Class.String())
	rows.bool(r.KeyAccount)
	rows.text(string(r.Owner))
	rows.uuid(r.MergedInto)
	rows.timeOrNull(r.ErasedAt)
	rows.int8(r.HistorySeq)
	// search_text: the lower-cased name and the normalised addresses,
	// joined by searchSep.
	f := rows.open()
	rows.buf = appendLower(rows.buf, r.Name)
	for _, e := range r.Emails {
		rows.buf = append(rows.buf, searchSep...)
		rows.buf = appendEmailKey(rows.buf, e)
	}
	rows.close(f)
	// search_phones: the E.164 numbers joined by spaces.
	f = rows.open()
	for _, p := range r.Phones {
		if len(rows.buf) > f+4 {
			rows.buf = append(rows.buf, ' ')
		}
		rows.buf = append(rows.buf, p.Normalized()...)
	}
	rows.close(f)
	// contact_keys: "e:" and "p:" with the normalised contact points.
	at = rows.array(len(r.Emails) + len(r.Phones))
	for _, e := range r.Emails {
		f := rows.open()
		rows.buf = appendEmailKey(append(rows.buf, "e:"...), e)
		rows.close(f)
	}
	for _, p := range r.Phones {
		f := rows.open()
		rows.buf = append(append(rows.buf, "p:"...), p.Normalized()...)
		rows.close(f)
	}
	rows.close(at)
	rows.timeOrNull(r.LastContact)

	tenant := string(r.Tenant)
	for i, e := range customerHooks.Pending(c) {
		checkHistoryEntry(tc, r.ID, i, e)
		hist.row(len(historyColumns))
		hist.text(tenant)
		hist.uuid(e.CustomerID)
		hist.uuid(e.OriginID)
		hist.int8(e.Seq)
		hist.text(e.Kind.String())
		hist.text(e.From)
		hist.text(e.To)
		hist.time(e.At)
		hist.text(string(e.Actor))
		hist.text(e.Reason)
	}
	if err := v.Err(op); err != nil {
		rows.buf, hist.buf = rows.buf[:rowsAt], hist.buf[:histAt]
		return err
	}
	return nil
}

// appendEmailKey appends e.Normalized(): the address lower-cased (its
// domain is lower case already); nothing for the zero Email.
func appendEmailKey(buf []byte, e customer.Email) []byte {
	if e.IsZero() {
		return buf
	}
	buf = appendLower(buf, e.Local())
	buf = append(buf, '@')
	return append(buf, e.Domain()...)
}

// storableBytes is storable for text being written.
func storableBytes(b []byte) bool {
	return bytes.IndexByte(b, 0) < 0 && utf8.Valid(b)
}
