package customer

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/hook"
)

// RelationJSONVersion is the version of the JSON forms of a [Referral], a
// [Suggestion] and a [Membership] this package writes (member "v"); decoding
// refuses a version it does not know.
const RelationJSONVersion = 1

// The store-only operations on referrals, suggestions and memberships,
// reached by stores through internal/hook. Their history travels with the
// record, so they have no pending entries.
func init() {
	hook.Register(hook.Entity[*Referral, ReferralRecord, hook.None]{
		Saved: (*Referral).saved, Adopt: adoptReferral, Pending: func(*Referral) []hook.None { return nil },
	})
	hook.Register(hook.Entity[*Suggestion, SuggestionRecord, hook.None]{
		Saved: (*Suggestion).saved, Adopt: adoptSuggestion, Pending: func(*Suggestion) []hook.None { return nil },
	})
	hook.Register(hook.Entity[*Membership, MembershipRecord, hook.None]{
		Saved: (*Membership).saved, Adopt: adoptMembership, Pending: func(*Membership) []hook.None { return nil },
	})
}

// The wire forms of the records: their fields with the version of the form.
type (
	referralJSON struct {
		V int `json:"v"`
		ReferralRecord
	}
	suggestionJSON struct {
		V int `json:"v"`
		SuggestionRecord
	}
	membershipJSON struct {
		V int `json:"v"`
		MembershipRecord
	}
)

// wire is a record's wire form.
type wire[R any] interface {
	*referralJSON | *suggestionJSON | *membershipJSON
	version() int
	record() R
}

func (w *referralJSON) version() int               { return w.V }
func (w *referralJSON) record() ReferralRecord     { return w.ReferralRecord }
func (w *suggestionJSON) version() int             { return w.V }
func (w *suggestionJSON) record() SuggestionRecord { return w.SuggestionRecord }
func (w *membershipJSON) version() int             { return w.V }
func (w *membershipJSON) record() MembershipRecord { return w.MembershipRecord }

// marshalRel writes the JSON form of a record, in UTC.
func marshalRel(op, what string, built bool, w any) ([]byte, error) {
	if !built {
		return nil, crm.Invalid(op, what, "must be built with its constructor or FromRecord")
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return b, nil
}

// unmarshalRel decodes the JSON form of a record strictly and checks its
// version; null reports ok false.
func unmarshalRel[R any, W wire[R]](op string, data []byte, w W) (r R, ok bool, err error) {
	if string(bytes.TrimSpace(data)) == "null" {
		return r, false, nil
	}
	if err := crm.DecodeJSON(data, w, op); err != nil {
		return r, false, err
	}
	if w.version() != RelationJSONVersion {
		return r, false, crm.Invalid(op, "v", fmt.Sprintf("unknown version %d (want %d)", w.version(), RelationJSONVersion))
	}
	return w.record(), true, nil
}

// utcSteps returns steps with their times in UTC.
func utcSteps(steps []Step) []Step {
	for i := range steps {
		steps[i].At = steps[i].At.UTC()
	}
	return steps
}

// MarshalJSON implements json.Marshaler: the referral's record with a
// member "v" (RelationJSONVersion), times in UTC. A zero Referral has no
// JSON form (crm.ErrInvalid).
func (r *Referral) MarshalJSON() ([]byte, error) {
	built := r != nil && !r.id.IsZero()
	var rec ReferralRecord
	if built {
		rec = r.Record()
		rec.DecidedAt, rec.CreatedAt, rec.UpdatedAt = rec.DecidedAt.UTC(), rec.CreatedAt.UTC(), rec.UpdatedAt.UTC()
		rec.History = utcSteps(rec.History)
	}
	return marshalRel("customer.Referral.MarshalJSON", "referral", built, referralJSON{V: RelationJSONVersion, ReferralRecord: rec})
}

// UnmarshalJSON implements json.Unmarshaler, strictly ([crm.DecodeJSON]):
// unknown members, an unknown version and a record [ReferralFromRecord]
// refuses are errors matching crm.ErrInvalid, and r is then unchanged.
// JSON null leaves r unchanged.
func (r *Referral) UnmarshalJSON(data []byte) error {
	rec, ok, err := unmarshalRel[ReferralRecord]("customer.Referral.UnmarshalJSON", data, &referralJSON{})
	if !ok {
		return err
	}
	x, err := adoptReferral(rec)
	if err != nil {
		return err
	}
	*r = *x
	return nil
}

// MarshalJSON implements json.Marshaler as [Referral.MarshalJSON] does.
func (s *Suggestion) MarshalJSON() ([]byte, error) {
	built := s != nil && !s.id.IsZero()
	var rec SuggestionRecord
	if built {
		rec = s.Record()
		rec.DecidedAt, rec.CreatedAt, rec.UpdatedAt = rec.DecidedAt.UTC(), rec.CreatedAt.UTC(), rec.UpdatedAt.UTC()
		rec.History = utcSteps(rec.History)
	}
	return marshalRel("customer.Suggestion.MarshalJSON", "suggestion", built, suggestionJSON{V: RelationJSONVersion, SuggestionRecord: rec})
}

// UnmarshalJSON implements json.Unmarshaler as [Referral.UnmarshalJSON] does.
func (s *Suggestion) UnmarshalJSON(data []byte) error {
	rec, ok, err := unmarshalRel[SuggestionRecord]("customer.Suggestion.UnmarshalJSON", data, &suggestionJSON{})
	if !ok {
		return err
	}
	x, err := adoptSuggestion(rec)
	if err != nil {
		return err
	}
	*s = *x
	return nil
}

// MarshalJSON implements json.Marshaler as [Referral.MarshalJSON] does.
func (m *Membership) MarshalJSON() ([]byte, error) {
	built := m != nil && !m.id.IsZero()
	var rec MembershipRecord
	if built {
		rec = m.Record()
		rec.TermEnd, rec.CancelledAt = rec.TermEnd.UTC(), rec.CancelledAt.UTC()
		rec.CreatedAt, rec.UpdatedAt = rec.CreatedAt.UTC(), rec.UpdatedAt.UTC()
		rec.History = utcSteps(rec.History)
	}
	return marshalRel("customer.Membership.MarshalJSON", "membership", built, membershipJSON{V: RelationJSONVersion, MembershipRecord: rec})
}

// UnmarshalJSON implements json.Unmarshaler as [Referral.UnmarshalJSON] does.
func (m *Membership) UnmarshalJSON(data []byte) error {
	rec, ok, err := unmarshalRel[MembershipRecord]("customer.Membership.UnmarshalJSON", data, &membershipJSON{})
	if !ok {
		return err
	}
	x, err := adoptMembership(rec)
	if err != nil {
		return err
	}
	*m = *x
	return nil
}

// programmeJSON is Programme without its methods, for decoding.
type programmeJSON Programme

// UnmarshalJSON implements json.Unmarshaler, strictly ([crm.DecodeJSON]),
// and refuses a programme [Programme.Validate] refuses; p is then
// unchanged. JSON null leaves p unchanged.
func (p *Programme) UnmarshalJSON(data []byte) error {
	const op = "customer.Programme.UnmarshalJSON"
	if string(bytes.TrimSpace(data)) == "null" {
		return nil
	}
	var w programmeJSON
	if err := crm.DecodeJSON(data, &w, op); err != nil {
		return err
	}
	if err := Programme(w).Validate(); err != nil {
		return err
	}
	*p = Programme(w)
	return nil
}
