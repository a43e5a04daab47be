package postgres

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
)

// Asset paths: see migration 0003. Each level is kind and ID, each followed
// by assetEnd, with assetEsc and assetEnd inside them escaped by assetEsc.
const (
	assetEsc = '\x01'
	assetEnd = '\x02'
)

// encodeAsset returns a's stored path; the empty asset is "".
func encodeAsset(a complaint.Asset) string {
	var b strings.Builder
	field := func(s string) {
		for i := 0; i < len(s); i++ {
			if s[i] == assetEsc || s[i] == assetEnd {
				b.WriteByte(assetEsc)
			}
			b.WriteByte(s[i])
		}
		b.WriteByte(assetEnd)
	}
	for _, l := range a {
		field(l.Kind)
		field(l.ID)
	}
	return b.String()
}

// assetRange returns the bounds [lo, hi) of the paths of the assets at or
// below p (not empty): every such path starts with lo, and in bytewise
// order the strings starting with lo are exactly those in [lo, hi).
func assetRange(p complaint.Asset) (lo, hi string) {
	lo = encodeAsset(p)
	return lo, lo[:len(lo)-1] + string(rune(assetEnd+1))
}

// decodeAsset parses a stored path.
func decodeAsset(s string) (complaint.Asset, error) {
	if s == "" {
		return nil, nil
	}
	var (
		out    complaint.Asset
		fields []string
		cur    []byte
	)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case assetEsc:
			i++
			if i == len(s) || (s[i] != assetEsc && s[i] != assetEnd) {
				return nil, errors.New("bad escape in asset path")
			}
			cur = append(cur, s[i])
		case assetEnd:
			fields = append(fields, string(cur))
			cur = cur[:0]
		default:
			cur = append(cur, s[i])
		}
	}
	if len(cur) > 0 || len(fields)%2 != 0 {
		return nil, errors.New("truncated asset path")
	}
	for i := 0; i < len(fields); i += 2 {
		out = append(out, complaint.AssetLevel{Kind: fields[i], ID: fields[i+1]})
	}
	return out, nil
}

// Stored JSON forms of a complaint's nested values. Enumerations are
// stored by name; times in RFC 3339 with nanoseconds.
type (
	storedResolution struct {
		Remedy            string `json:"remedy"`
		Summary           string `json:"summary"`
		RootCauseCategory string `json:"root_cause_category,omitempty"`
		RootCauseText     string `json:"root_cause_text,omitempty"`
		Corrective        string `json:"corrective,omitempty"`
		Preventive        string `json:"preventive,omitempty"`
	}
	storedFollowUp struct {
		Reached bool      `json:"reached"`
		Note    string    `json:"note,omitempty"`
		At      time.Time `json:"at"`
	}
	storedSurvey struct {
		CSAT    int       `json:"csat"`
		Comment string    `json:"comment,omitempty"`
		At      time.Time `json:"at"`
	}
	storedRepair struct {
		Step   string    `json:"step"`
		Note   string    `json:"note,omitempty"`
		Public bool      `json:"public"`
		At     time.Time `json:"at"`
		Actor  string    `json:"actor"`
	}
	storedPause struct {
		Start time.Time `json:"start"`
		End   time.Time `json:"end,omitzero"`
	}
	storedRiskNote struct {
		At    time.Time `json:"at"`
		Actor string    `json:"actor"`
		Text  string    `json:"text"`
	}
)

// complaintCols are a complaint's columns, in the order of
// complaintValues.args and complaintScan.dest.
const complaintCols = `tenant_id, id, version, customer_id, channel, category, severity, priority, asset_path,
 description, desired_outcome, attachments, group_id, owner_id, hand_overs, status, waiting_from,
 escalation_level, reopens, reopen_window_ns, resolution, compensation_amount, compensation_currency,
 compensation_exp, accepted, follow_up_at, follow_up, survey, repair, pauses, received_at, acknowledged_at,
 first_response_at, resolved_at, closed_at, rejected_at, audit_seq`

// complaintReadCols are complaintCols as a read selects them (the amount
// as text, so that no digit depends on a registered numeric type).
const complaintReadCols = `tenant_id, id, version, customer_id, channel, category, severity, priority, asset_path,
 description, desired_outcome, attachments, group_id, owner_id, hand_overs, status, waiting_from,
 escalation_level, reopens, reopen_window_ns, resolution, compensation_amount::text, compensation_currency::text,
 compensation_exp, accepted, follow_up_at, follow_up, survey, repair, pauses, received_at, acknowledged_at,
 first_response_at, resolved_at, closed_at, rejected_at, audit_seq`

// complaintColCount is the number of complaintCols.
const complaintColCount = 37

// auditArrays are audit entries as parallel arrays for unnest.
type auditArrays struct {
	seq                        []int64
	kind, from, to, actor, rsn []string
	at                         []time.Time
}

func (a *auditArrays) args() []any {
	return []any{a.seq, a.kind, a.from, a.to, a.at, a.actor, a.rsn}
}

// complaintValues are a complaint's column values and pending audit.
type complaintValues struct {
	args  []any
	audit auditArrays
}

// amountText writes d with exactly its own digits: -exp decimal places
// for a negative exponent, an integer otherwise.
func amountText(d decimal.Decimal) string {
	if e := d.Exponent(); e < 0 {
		return d.StringFixed(-e)
	}
	return d.StringFixed(0)
}

// amountOf rebuilds the decimal written by amountText with exponent exp.
func amountOf(text string, exp int32) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(text)
	if err != nil {
		return decimal.Decimal{}, err
	}
	coef := d.Shift(-exp)
	if !coef.Equal(coef.Truncate(0)) {
		return decimal.Decimal{}, fmt.Errorf("amount %s has digits below exponent %d", text, exp)
	}
	return decimal.NewFromBigInt(new(big.Int).Set(coef.BigInt()), exp), nil
}

// encodeComplaint validates c for storage (complaint.FromRecord's checks,
// text PostgreSQL can store, pending audit entries that belong to c) and
// returns its column values and pending audit.
func encodeComplaint(op string, c *complaint.Complaint) (complaintValues, error) {
	r := c.Record()
	if _, err := complaint.FromRecord(r); err != nil {
		return complaintValues{}, err
	}
	var v crm.Validator
	tc := textChecker{&v}
	tc.check("category", r.Category)
	for i, l := range r.Asset {
		tc.check(fmt.Sprintf("asset[%d].kind", i), l.Kind)
		tc.check(fmt.Sprintf("asset[%d].id", i), l.ID)
	}
	tc.check("description", r.Description)
	tc.check("desired_outcome", r.DesiredOutcome)
	for i, a := range r.Attachments {
		tc.check(fmt.Sprintf("attachments[%d]", i), a)
	}
	tc.check("owner", string(r.Owner))
	tc.time("received_at", r.ReceivedAt)
	tc.time("follow_up_at", r.FollowUpAt)
	tc.time("acknowledged_at", r.AcknowledgedAt)
	tc.time("first_response_at", r.FirstResponseAt)
	tc.time("resolved_at", r.ResolvedAt)
	tc.time("closed_at", r.ClosedAt)
	tc.time("rejected_at", r.RejectedAt)
	var (
		resolution, followUp, survey, repair, pauses []byte
		amount, currency                             pgtype.Text
		exp                                          pgtype.Int4
	)
	if res := r.Resolution; res != nil {
		tc.check("resolution.summary", res.Summary)
		tc.check("resolution.root_cause.category", res.RootCause.Category)
		tc.check("resolution.root_cause.text", res.RootCause.Text)
		tc.check("resolution.corrective", res.Corrective)
		tc.check("resolution.preventive", res.Preventive)
		resolution = mustJSON(storedResolution{
			Remedy: res.Remedy.String(), Summary: res.Summary, RootCauseCategory: res.RootCause.Category,
			RootCauseText: res.RootCause.Text, Corrective: res.Corrective, Preventive: res.Preventive,
		})
		if m := res.Compensation; m != (crm.Money{}) {
			amount = pgtype.Text{String: amountText(m.Amount()), Valid: true}
			currency = pgtype.Text{String: m.Currency().Code(), Valid: true}
			exp = pgtype.Int4{Int32: m.Amount().Exponent(), Valid: true}
		}
	}
	if f := r.FollowUp; f != nil {
		tc.check("follow_up.note", f.Note)
		tc.time("follow_up.at", f.At)
		followUp = mustJSON(storedFollowUp{Reached: f.Reached, Note: f.Note, At: f.At})
	}
	if s := r.Survey; s != nil {
		tc.check("survey.comment", s.Comment)
		tc.time("survey.at", s.At)
		survey = mustJSON(storedSurvey{CSAT: s.CSAT, Comment: s.Comment, At: s.At})
	}
	if len(r.Repair) > 0 {
		list := make([]storedRepair, len(r.Repair))
		for i, e := range r.Repair {
			tc.check(fmt.Sprintf("repair[%d].note", i), e.Note)
			tc.check(fmt.Sprintf("repair[%d].actor", i), string(e.Actor))
			tc.time(fmt.Sprintf("repair[%d].at", i), e.At)
			list[i] = storedRepair{Step: e.Step.String(), Note: e.Note, Public: e.Public, At: e.At, Actor: string(e.Actor)}
		}
		repair = mustJSON(list)
	}
	if len(r.Pauses) > 0 {
		list := make([]storedPause, len(r.Pauses))
		for i, p := range r.Pauses {
			tc.time(fmt.Sprintf("pauses[%d].start", i), p.Start)
			tc.time(fmt.Sprintf("pauses[%d].end", i), p.End)
			list[i] = storedPause{Start: p.Start, End: p.End}
		}
		pauses = mustJSON(list)
	}
	var accepted pgtype.Bool
	if r.Accepted != nil {
		accepted = pgtype.Bool{Bool: *r.Accepted, Valid: true}
	}
	var waiting pgtype.Text
	if r.WaitingFrom != 0 {
		waiting = pgtype.Text{String: r.WaitingFrom.String(), Valid: true}
	}
	var au auditArrays
	for i, e := range complaintHooks.Pending(c) {
		p := fmt.Sprintf("audit[%d]", i)
		v.Check(e.ComplaintID == r.ID, p, "does not belong to the complaint")
		v.Check(e.Seq > 0 && e.Seq <= r.AuditSeq, p+".seq", "out of range")
		v.Check(e.Kind.Valid(), p+".kind", "unknown audit kind")
		v.Check(!e.At.IsZero(), p+".at", "must be set")
		tc.time(p+".at", e.At)
		tc.check(p+".from", e.From)
		tc.check(p+".to", e.To)
		tc.check(p+".actor", string(e.Actor))
		tc.check(p+".reason", e.Reason)
		au.seq = append(au.seq, e.Seq)
		au.kind = append(au.kind, e.Kind.String())
		au.from = append(au.from, e.From)
		au.to = append(au.to, e.To)
		au.at = append(au.at, e.At)
		au.actor = append(au.actor, string(e.Actor))
		au.rsn = append(au.rsn, e.Reason)
	}
	if err := v.Err(op); err != nil {
		return complaintValues{}, err
	}
	attach := r.Attachments
	if attach == nil {
		attach = []string{}
	}
	return complaintValues{
		args: []any{
			string(r.Tenant), uuidArg(r.ID), r.Version, uuidArg(r.Customer), r.Channel.String(), r.Category,
			r.Severity.String(), r.Priority.String(), encodeAsset(r.Asset), r.Description, r.DesiredOutcome,
			attach, uuidArg(r.Group), string(r.Owner), int64(r.HandOvers), r.Status.String(), waiting,
			int64(r.EscalationLevel), int64(r.Reopens), int64(r.ReopenWindow), resolution, amount, currency,
			exp, accepted, timeArg(r.FollowUpAt), followUp, survey, repair, pauses, r.ReceivedAt,
			timeArg(r.AcknowledgedAt), timeArg(r.FirstResponseAt), timeArg(r.ResolvedAt), timeArg(r.ClosedAt),
			timeArg(r.RejectedAt), r.AuditSeq,
		},
		audit: au,
	}, nil
}

// complaintScan holds the destinations of one scanned complaint row.
type complaintScan struct {
	tenant, channel, category, severity, priority, asset string
	desc, desired, owner, status                         string
	id, customer, group                                  pgtype.UUID
	version, auditSeq, reopenNS                          int64
	handOvers, escalation, reopens                       int64
	attach                                               []string
	waiting, amount, currency                            pgtype.Text
	exp                                                  pgtype.Int4
	accepted                                             pgtype.Bool
	resolution, followUp, survey, repair, pauses         []byte
	receivedAt                                           time.Time
	followUpAt, ackAt, respAt, resolvedAt, closedAt      pgtype.Timestamptz
	rejectedAt                                           pgtype.Timestamptz
}

func (s *complaintScan) dest() []any {
	return []any{
		&s.tenant, &s.id, &s.version, &s.customer, &s.channel, &s.category, &s.severity, &s.priority, &s.asset,
		&s.desc, &s.desired, &s.attach, &s.group, &s.owner, &s.handOvers, &s.status, &s.waiting,
		&s.escalation, &s.reopens, &s.reopenNS, &s.resolution, &s.amount, &s.currency,
		&s.exp, &s.accepted, &s.followUpAt, &s.followUp, &s.survey, &s.repair, &s.pauses, &s.receivedAt, &s.ackAt,
		&s.respAt, &s.resolvedAt, &s.closedAt, &s.rejectedAt, &s.auditSeq,
	}
}

// complaint rebuilds the complaint; a row that does not decode is
// reported as corrupt.
func (s *complaintScan) complaint() (*complaint.Complaint, error) {
	r := complaint.Record{
		ID: s.id.Bytes, Tenant: crm.TenantID(s.tenant), Version: s.version, Customer: s.customer.Bytes,
		Category: s.category, Description: s.desc, DesiredOutcome: s.desired, Owner: crm.UserID(s.owner),
		HandOvers: int(s.handOvers), EscalationLevel: int(s.escalation), Reopens: int(s.reopens),
		ReopenWindow: time.Duration(s.reopenNS), FollowUpAt: timeOf(s.followUpAt), ReceivedAt: s.receivedAt.UTC(),
		AcknowledgedAt: timeOf(s.ackAt), FirstResponseAt: timeOf(s.respAt), ResolvedAt: timeOf(s.resolvedAt),
		ClosedAt: timeOf(s.closedAt), RejectedAt: timeOf(s.rejectedAt), AuditSeq: s.auditSeq,
	}
	if s.group.Valid {
		r.Group = s.group.Bytes
	}
	if len(s.attach) > 0 {
		r.Attachments = s.attach
	}
	var problems []string
	bad := func(what string, err error) { problems = append(problems, what+": "+err.Error()) }
	var err error
	if r.Channel, err = customer.ParseChannel(s.channel); err != nil {
		bad("channel", err)
	}
	if r.Severity, err = complaint.ParseSeverity(s.severity); err != nil {
		bad("severity", err)
	}
	if r.Priority, err = complaint.ParsePriority(s.priority); err != nil {
		bad("priority", err)
	}
	if r.Status, err = complaint.ParseStatus(s.status); err != nil {
		bad("status", err)
	}
	if s.waiting.Valid {
		if r.WaitingFrom, err = complaint.ParseStatus(s.waiting.String); err != nil {
			bad("waiting_from", err)
		}
	}
	if r.Asset, err = decodeAsset(s.asset); err != nil {
		bad("asset_path", err)
	}
	if s.accepted.Valid {
		a := s.accepted.Bool
		r.Accepted = &a
	}
	if s.resolution != nil {
		var sr storedResolution
		if err := json.Unmarshal(s.resolution, &sr); err != nil {
			bad("resolution", err)
		}
		res := &complaint.Resolution{
			Summary: sr.Summary, RootCause: complaint.RootCause{Category: sr.RootCauseCategory, Text: sr.RootCauseText},
			Corrective: sr.Corrective, Preventive: sr.Preventive,
		}
		if res.Remedy, err = complaint.ParseRemedy(sr.Remedy); err != nil {
			bad("resolution.remedy", err)
		}
		if s.amount.Valid && s.currency.Valid && s.exp.Valid {
			m, err := moneyOf(s.amount.String, s.currency.String, s.exp.Int32)
			if err != nil {
				bad("compensation", err)
			}
			res.Compensation = m
		}
		r.Resolution = res
	}
	if s.followUp != nil {
		var f storedFollowUp
		if err := json.Unmarshal(s.followUp, &f); err != nil {
			bad("follow_up", err)
		}
		r.FollowUp = &complaint.FollowUp{Reached: f.Reached, Note: f.Note, At: f.At.UTC()}
	}
	if s.survey != nil {
		var sv storedSurvey
		if err := json.Unmarshal(s.survey, &sv); err != nil {
			bad("survey", err)
		}
		r.Survey = &complaint.Survey{CSAT: sv.CSAT, Comment: sv.Comment, At: sv.At.UTC()}
	}
	if s.repair != nil {
		var list []storedRepair
		if err := json.Unmarshal(s.repair, &list); err != nil {
			bad("repair", err)
		}
		if len(list) > 0 {
			r.Repair = make([]complaint.RepairEntry, len(list))
			for i, e := range list {
				step, err := complaint.ParseRepairStep(e.Step)
				if err != nil {
					bad("repair", err)
				}
				r.Repair[i] = complaint.RepairEntry{Step: step, Note: e.Note, Public: e.Public, At: e.At.UTC(), Actor: crm.UserID(e.Actor)}
			}
		}
	}
	if s.pauses != nil {
		var list []storedPause
		if err := json.Unmarshal(s.pauses, &list); err != nil {
			bad("pauses", err)
		}
		if len(list) > 0 {
			r.Pauses = make([]calendar.Interval, len(list))
			for i, p := range list {
				r.Pauses[i] = calendar.Interval{Start: p.Start.UTC(), End: utcOrZero(p.End)}
			}
		}
	}
	if len(problems) == 0 {
		c, err := complaint.FromRecord(r)
		if err == nil {
			return c, nil
		}
		problems = append(problems, err.Error())
	}
	return nil, &corruptError{what: "complaint " + r.ID.String(), problems: problems}
}

// utcOrZero returns t in UTC, keeping the zero time zero.
func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// moneyOf rebuilds a stored amount exactly.
func moneyOf(amount, code string, exp int32) (crm.Money, error) {
	d, err := amountOf(amount, exp)
	if err != nil {
		return crm.Money{}, err
	}
	c, err := crm.ParseCurrency(code)
	if err != nil {
		return crm.Money{}, err
	}
	return crm.NewMoney(d, c)
}

// riskCols are a risk's columns, in the order of encodeRisk and
// riskScan.dest.
const riskCols = `tenant_id, id, version, hotspot_key, hotspot_key_hash, rule, rule_kind, category, asset_path,
 customer_id, hotspot_count, baseline, window_from, window_to, evidence, owner_id, status, notes, created_at, updated_at`

// keyHash is the indexed form of a hotspot key.
func keyHash(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// encodeRisk validates r for storage and returns its column values.
func encodeRisk(op string, r *complaint.Risk) ([]any, error) {
	rec := r.Record()
	if _, err := complaint.RiskFromRecord(rec); err != nil {
		return nil, err
	}
	h := rec.Hotspot
	var v crm.Validator
	tc := textChecker{&v}
	tc.check("hotspot.rule", h.Rule)
	tc.check("hotspot.category", h.Category)
	for i, l := range h.Asset {
		tc.check(fmt.Sprintf("hotspot.asset[%d].kind", i), l.Kind)
		tc.check(fmt.Sprintf("hotspot.asset[%d].id", i), l.ID)
	}
	v.Check(h.Count >= -1<<31 && h.Count < 1<<31, "hotspot.count", "out of range")
	tc.check("owner", string(rec.Owner))
	tc.time("hotspot.from", h.From)
	tc.time("hotspot.to", h.To)
	tc.time("created_at", rec.CreatedAt)
	tc.time("updated_at", rec.UpdatedAt)
	var notes []byte
	if len(rec.Notes) > 0 {
		list := make([]storedRiskNote, len(rec.Notes))
		for i, n := range rec.Notes {
			tc.check(fmt.Sprintf("notes[%d].text", i), n.Text)
			tc.time(fmt.Sprintf("notes[%d].at", i), n.At)
			list[i] = storedRiskNote{At: n.At, Actor: string(n.Actor), Text: n.Text}
		}
		notes = mustJSON(list)
	}
	evidence := make([]pgtype.UUID, len(h.Evidence))
	for i, id := range h.Evidence {
		v.Check(!id.IsZero(), fmt.Sprintf("hotspot.evidence[%d]", i), "must not be zero")
		evidence[i] = uuidArg(id)
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	key := h.Key()
	return []any{
		string(rec.Tenant), uuidArg(rec.ID), rec.Version, key, keyHash(key), h.Rule, h.Kind.String(), h.Category,
		encodeAsset(h.Asset), uuidArg(h.Customer), int64(h.Count), h.Baseline, timeArg(h.From), timeArg(h.To),
		evidence, string(rec.Owner), rec.Status.String(), notes, rec.CreatedAt, rec.UpdatedAt,
	}, nil
}

// riskScan holds the destinations of one scanned risk row.
type riskScan struct {
	tenant, key, rule, kind, category, asset, owner, status string
	id, customer                                            pgtype.UUID
	hash                                                    []byte
	version, count                                          int64
	baseline                                                float64
	from, to                                                pgtype.Timestamptz
	evidence                                                []pgtype.UUID
	notes                                                   []byte
	createdAt, updatedAt                                    time.Time
}

func (s *riskScan) dest() []any {
	return []any{
		&s.tenant, &s.id, &s.version, &s.key, &s.hash, &s.rule, &s.kind, &s.category, &s.asset,
		&s.customer, &s.count, &s.baseline, &s.from, &s.to, &s.evidence, &s.owner, &s.status, &s.notes,
		&s.createdAt, &s.updatedAt,
	}
}

// risk rebuilds the risk; a row that does not decode is corrupt.
func (s *riskScan) risk() (*complaint.Risk, error) {
	h := complaint.Hotspot{
		Rule: s.rule, Category: s.category, Count: int(s.count), Baseline: s.baseline,
		From: timeOf(s.from), To: timeOf(s.to),
	}
	if s.customer.Valid {
		h.Customer = s.customer.Bytes
	}
	var problems []string
	bad := func(what string, err error) { problems = append(problems, what+": "+err.Error()) }
	var err error
	if h.Kind, err = complaint.ParseRuleKind(s.kind); err != nil {
		bad("rule_kind", err)
	}
	if h.Asset, err = decodeAsset(s.asset); err != nil {
		bad("asset_path", err)
	}
	h.Evidence = make([]crm.ID, len(s.evidence))
	for i, u := range s.evidence {
		h.Evidence[i] = u.Bytes
	}
	rec := complaint.RiskRecord{
		ID: s.id.Bytes, Tenant: crm.TenantID(s.tenant), Version: s.version, Hotspot: h, Owner: crm.UserID(s.owner),
		CreatedAt: s.createdAt.UTC(), UpdatedAt: s.updatedAt.UTC(),
	}
	if rec.Status, err = complaint.ParseMitigationStatus(s.status); err != nil {
		bad("status", err)
	}
	if s.notes != nil {
		var list []storedRiskNote
		if err := json.Unmarshal(s.notes, &list); err != nil {
			bad("notes", err)
		}
		if len(list) > 0 {
			rec.Notes = make([]complaint.RiskNote, len(list))
			for i, n := range list {
				rec.Notes[i] = complaint.RiskNote{At: n.At.UTC(), Actor: crm.UserID(n.Actor), Text: n.Text}
			}
		}
	}
	if h.Key() != s.key {
		problems = append(problems, "hotspot_key does not match the hotspot")
	}
	if len(problems) == 0 {
		r, err := complaint.RiskFromRecord(rec)
		if err == nil {
			return r, nil
		}
		problems = append(problems, err.Error())
	}
	return nil, &corruptError{what: "risk " + rec.ID.String(), problems: problems}
}

// Cursors of the complaint lists: like those of cursor.go, unpadded
// base64url of a list tag, a format version and the key (the last ID of
// the page, or the last audit Seq).
const (
	curComplaints = 'K'
	curRisks      = 'R'
	curAudit      = 'A'
	// Lead lists, lead histories and campaign lists (leads.go).
	curLeads       = 'L'
	curLeadHistory = 'H'
	curCampaigns   = 'C'
)

// seqTaggedCursor is the cursor of a list of tag whose last item has
// sequence number seq.
func seqTaggedCursor(tag byte, seq int64) string {
	b := binary.BigEndian.AppendUint64([]byte{tag, cursorVersion}, uint64(seq))
	return cursorB64.EncodeToString(b)
}

// beUint64 reads a big-endian uint64.
func beUint64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

func idCursorString(tag byte, id crm.ID) string {
	b := append([]byte{tag, cursorVersion}, id[:]...)
	return cursorB64.EncodeToString(b)
}

func seqCursorString(seq int64) string {
	b := binary.BigEndian.AppendUint64([]byte{curAudit, cursorVersion}, uint64(seq))
	return cursorB64.EncodeToString(b)
}

// decodeTagged decodes s as a cursor of tag with a key of n bytes.
func decodeTagged(op string, tag byte, n int, s string) ([]byte, error) {
	bad := func(problem string) ([]byte, error) { return nil, crm.Invalid(op, "page.cursor", problem) }
	if len(s) > crm.MaxCursorLen {
		return bad("too long")
	}
	b, err := cursorB64.DecodeString(s)
	switch {
	case err != nil || cursorB64.EncodeToString(b) != s:
		return bad("malformed")
	case len(b) < 2 || b[0] != tag || len(b) != 2+n:
		return bad("not a cursor of this list")
	case b[1] != cursorVersion:
		return bad("unknown cursor version")
	}
	return b[2:], nil
}

// parseIDCursor returns the ID of a list cursor; zero for "".
func parseIDCursor(op string, tag byte, s string) (crm.ID, error) {
	if s == "" {
		return crm.ID{}, nil
	}
	b, err := decodeTagged(op, tag, 16, s)
	if err != nil {
		return crm.ID{}, err
	}
	var id crm.ID
	copy(id[:], b)
	if id.IsZero() {
		return crm.ID{}, crm.Invalid(op, "page.cursor", "malformed")
	}
	return id, nil
}

// parseSeqCursor returns the Seq of an audit cursor; 0 for "".
func parseSeqCursor(op string, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	b, err := decodeTagged(op, curAudit, 8, s)
	if err != nil {
		return 0, err
	}
	seq := int64(binary.BigEndian.Uint64(b))
	if seq <= 0 {
		return 0, crm.Invalid(op, "page.cursor", "malformed")
	}
	return seq, nil
}
