package opportunity

import (
	"encoding/json"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
)

// JSON forms of the values in event data that may be zero, where the
// zero value has no text form of its own (a zero channel, date or forecast
// category): the zero value is left out, or written as "". Events are
// encoded as JSON on their way into an outbox (storage.EncodeEvents), so
// every event's data must encode.

// MarshalJSON writes s with its channel left out when it is zero.
func (s Source) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Kind     SourceKind        `json:"kind"`
		Lead     crm.ID            `json:"lead,omitzero"`
		Campaign string            `json:"campaign,omitempty"`
		Referrer crm.ID            `json:"referrer,omitzero"`
		Channel  *customer.Channel `json:"channel,omitempty"`
	}{s.Kind, s.Lead, s.Campaign, s.Referrer, nonZero(s.Channel)})
}

// MarshalJSON writes the step with its due date left out when it is zero.
func (n NextStep) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Text string         `json:"text"`
		Due  *calendar.Date `json:"due,omitempty"`
	}{n.Text, nonZero(n.Due)})
}

// MarshalJSON writes the categories by name, "" for the stage's category.
func (c CategorySet) MarshalJSON() ([]byte, error) {
	name := func(f ForecastCategory) string {
		if f == 0 {
			return ""
		}
		return f.String()
	}
	return json.Marshal(struct {
		From string `json:"from"`
		To   string `json:"to"`
	}{name(c.From), name(c.To)})
}

// MarshalJSON writes the dates, a zero date (none) left out.
func (c CloseDateSet) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		From *calendar.Date `json:"from,omitempty"`
		To   *calendar.Date `json:"to,omitempty"`
	}{nonZero(c.From), nonZero(c.To)})
}

// nonZero returns a pointer to v, or nil when v is its zero value.
func nonZero[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}
