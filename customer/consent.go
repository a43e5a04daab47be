package customer

import (
	"maps"
	"time"

	"github.com/crmkit/crm"
)

// Consent is a customer's decision about marketing on one channel.
type Consent struct {
	// Granted is true when the customer agreed, false when they refused or
	// withdrew.
	Granted bool `json:"granted"`
	// At is when the decision was given.
	At time.Time `json:"at,omitzero"`
	// Source says how it was collected, e.g. "web form", "signed contract".
	Source string `json:"source,omitempty"`
}

// Consent returns the customer's marketing consent on ch; ok is false when
// none was ever recorded (which counts as no consent).
func (c *Customer) Consent(ch Channel) (Consent, bool) {
	k, ok := c.consents[ch]
	return k, ok
}

// Consents returns every recorded consent decision.
func (c *Customer) Consents() map[Channel]Consent { return maps.Clone(c.consents) }

// MayContact reports whether marketing on ch is allowed: consent was given
// and not withdrawn.
func (c *Customer) MayContact(ch Channel) bool { return c.consents[ch].Granted }

// SetConsent records the customer's marketing decision on channel, given
// at ch.At through source; the change is kept in the history.
func (c *Customer) SetConsent(channel Channel, granted bool, source string, ch Change) error {
	if err := c.guard("set consent", true); err != nil {
		return err
	}
	var v crm.Validator
	v.Check(channel.Valid(), "channel", "unknown channel")
	checkText(&v, "source", source, MaxSourceLen, false)
	validateChange(&v, ch)
	if err := v.Err("customer.SetConsent"); err != nil {
		return err
	}
	c.own()
	if c.consents == nil {
		c.consents = map[Channel]Consent{}
	}
	old := c.consents[channel]
	c.consents[channel] = Consent{Granted: granted, At: ch.At.UTC(), Source: source}
	c.record(HistoryConsent, consentText(channel, old.Granted), consentText(channel, granted), ch)
	return nil
}

func consentText(ch Channel, granted bool) string {
	if granted {
		return ch.String() + ":granted"
	}
	return ch.String() + ":refused"
}
