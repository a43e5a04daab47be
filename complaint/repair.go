package complaint

import (
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
)

// RepairEntry is one entry of a repair's work-order timeline. Public
// entries are shown to the customer (透明化维修); internal ones are not.
type RepairEntry struct {
	Step   RepairStep `json:"step"`
	Note   string     `json:"note,omitempty"`
	Public bool       `json:"public"`
	At     time.Time  `json:"at"`
	Actor  crm.UserID `json:"actor"`
}

func cloneRepair(es []RepairEntry) []RepairEntry { return slices.Clone(es) }

// AddRepairStep appends an entry to the repair timeline; allowed while the
// complaint is open. Entries must not go back in time.
func (c *Complaint) AddRepairStep(step RepairStep, note string, public bool, ch Change) error {
	var v crm.Validator
	validateChange(&v, ch)
	v.Check(step.Valid(), "step", "unknown repair step")
	checkText(&v, "note", note, false)
	v.Check(len(c.repair) < MaxRepairEntries, "repair", "too many entries")
	if n := len(c.repair); n > 0 && !ch.At.IsZero() {
		v.Check(!ch.At.Before(c.repair[n-1].At), "change.at", "before the previous repair entry")
	}
	if err := v.Err("complaint.AddRepairStep"); err != nil {
		return err
	}
	if !c.status.Open() {
		return fmt.Errorf("complaint: add repair step %s: %w", c.id,
			&crm.TransitionError{Machine: machineName, From: c.status.String(), To: c.status.String(), Reason: "complaint is not open"})
	}
	e := RepairEntry{Step: step, Note: note, Public: public, At: ch.At.UTC(), Actor: ch.Actor}
	c.repair = append(c.repair, e)
	vis := "internal"
	if public {
		vis = "public"
	}
	c.audit(AuditRepair, vis, step.String(), ch)
	c.emit(EventRepairStep, ch, RepairStepAdded{Step: step, Public: public})
	return nil
}

// RepairTimeline returns every repair entry, public and internal, in order.
func (c *Complaint) RepairTimeline() []RepairEntry { return cloneRepair(c.repair) }

// PublicRepairView returns the customer-visible repair timeline: the
// public entries only, in order, without the internal user who recorded
// them.
func (c *Complaint) PublicRepairView() []RepairEntry { return PublicEntries(c.repair) }

// PublicEntries returns the public entries of es, in order, as a new slice,
// with Actor blanked: staff accounts are internal, and what the customer
// needs to know (the technician's name, say) belongs in the note.
func PublicEntries(es []RepairEntry) []RepairEntry {
	var out []RepairEntry
	for _, e := range es {
		if e.Public {
			e.Actor = ""
			out = append(out, e)
		}
	}
	return out
}
