package postgres

import (
	"bytes"
	"encoding"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/opportunity"
)

// unmarshalOppDoc decodes a doc column into d exactly as json.Unmarshal
// does. Reading the doc with encoding/json's reflection (and crm.Money's
// token-by-token decoder) took most of the client's time in a Get and a
// List (issue 10), so the form the store writes is read by the scanner
// below: the object's members one by one, scalars parsed in place, lists,
// nested details (rarely present) and strings with escapes handed to
// encoding/json. Anything else — an unknown or repeated member, an escape
// in a member that is not a plain string, null, a number in another form,
// a value its type refuses — sends the whole document to json.Unmarshal,
// which gives its result or its error. So the scanner only takes documents
// json.Unmarshal decodes to the same oppDoc (checked by TestOppDocScanner
// and FuzzOppDocDecode), and documents already stored read back as before.
func unmarshalOppDoc(b []byte, d *oppDoc) error {
	*d = oppDoc{}
	if (&oppScanner{b: b}).doc(d) {
		return nil
	}
	*d = oppDoc{} // what the scanner left half done
	return json.Unmarshal(b, d)
}

// oppScanner reads one stored document; every method returns false when
// the input is not in the form it takes.
type oppScanner struct {
	b []byte
	i int
}

// doc reads a whole document into d.
func (s *oppScanner) doc(d *oppDoc) bool {
	var seen uint64
	ok := s.object(func(key []byte) bool {
		f, known := oppDocFields[string(key)]
		if !known || seen&(1<<f) != 0 {
			return false
		}
		seen |= 1 << f
		return s.member(f, d)
	})
	s.ws()
	return ok && s.i == len(s.b)
}

// The members of oppDoc, numbered for the scanner's set of those seen.
const (
	fID = iota
	fTenant
	fVersion
	fCustomer
	fOwner
	fTeam
	fPipeline
	fName
	fSource
	fSegment
	fContacts
	fCurrency
	fAmount
	fLines
	fApprovals
	fStatus
	fStage
	fClosedFrom
	fStageSince
	fStageProb
	fStageCat
	fOverride
	fCategory
	fCloseDate
	fNextStep
	fNextDue
	fCompetitors
	fWon
	fLost
	fClosedAt
	fReopens
	fCreatedAt
	fUpdatedAt
	fSeq
)

// oppDocFields maps the JSON names of oppDoc's members (as the tags in
// opportunity_rows.go spell them) to their numbers.
var oppDocFields = map[string]int{
	"id": fID, "tenant": fTenant, "version": fVersion, "customer": fCustomer, "owner": fOwner, "team": fTeam,
	"pipeline": fPipeline, "name": fName, "source": fSource, "segment": fSegment, "contacts": fContacts,
	"currency": fCurrency, "amount": fAmount, "lines": fLines, "approvals": fApprovals, "status": fStatus,
	"stage": fStage, "closed_from": fClosedFrom, "stage_since": fStageSince, "stage_probability": fStageProb,
	"stage_category": fStageCat, "probability_override": fOverride, "category": fCategory,
	"close_date": fCloseDate, "next_step": fNextStep, "next_step_due": fNextDue, "competitors": fCompetitors,
	"won": fWon, "lost": fLost, "closed_at": fClosedAt, "reopens": fReopens, "created_at": fCreatedAt,
	"updated_at": fUpdatedAt, "seq": fSeq,
}

// member reads the value of member f into d.
func (s *oppScanner) member(f int, d *oppDoc) bool {
	switch f {
	case fID:
		return s.text(&d.ID)
	case fTenant:
		return s.string(&d.Tenant)
	case fVersion:
		return s.int64(&d.Version)
	case fCustomer:
		return s.text(&d.Customer)
	case fOwner:
		return s.string(&d.Owner)
	case fTeam:
		return s.string(&d.Team)
	case fPipeline:
		return s.string(&d.Pipeline)
	case fName:
		return s.string(&d.Name)
	case fSource:
		return s.source(&d.Source)
	case fSegment:
		return s.string(&d.Segment)
	case fContacts:
		return s.raw(&d.Contacts)
	case fCurrency:
		return s.text(&d.Currency)
	case fAmount:
		d.Amount = new(crm.Money)
		return s.money(d.Amount)
	case fLines:
		return s.raw(&d.Lines)
	case fApprovals:
		return s.raw(&d.Approvals)
	case fStatus:
		return s.text(&d.Status)
	case fStage:
		return s.string(&d.Stage)
	case fClosedFrom:
		return s.string(&d.ClosedFrom)
	case fStageSince:
		return s.text(&d.StageSince)
	case fStageProb:
		return s.float64(&d.StageProb)
	case fStageCat:
		return s.text(&d.StageCat)
	case fOverride:
		return s.raw(&d.Override)
	case fCategory:
		d.Category = new(opportunity.ForecastCategory)
		return s.text(d.Category)
	case fCloseDate:
		d.CloseDate = new(calendar.Date)
		return s.text(d.CloseDate)
	case fNextStep:
		return s.string(&d.NextStep)
	case fNextDue:
		d.NextDue = new(calendar.Date)
		return s.text(d.NextDue)
	case fCompetitors:
		return s.raw(&d.Competitors)
	case fWon:
		return s.raw(&d.Won)
	case fLost:
		return s.raw(&d.Lost)
	case fClosedAt:
		d.ClosedAt = new(time.Time)
		return s.text(d.ClosedAt)
	case fReopens:
		var n int64
		if !s.int64(&n) || int64(int(n)) != n {
			return false
		}
		d.Reopens = int(n)
		return true
	case fCreatedAt:
		return s.text(&d.CreatedAt)
	case fUpdatedAt:
		return s.text(&d.UpdatedAt)
	case fSeq:
		return s.int64(&d.Seq)
	}
	return false
}

// source reads the object of an opportunity's source.
func (s *oppScanner) source(d *sourceDoc) bool {
	var seen uint8
	return s.object(func(key []byte) bool {
		var f uint8
		switch string(key) {
		case "kind":
			f = 1
		case "lead":
			f = 2
		case "campaign":
			f = 4
		case "referrer":
			f = 8
		case "channel":
			f = 16
		default:
			return false
		}
		if seen&f != 0 {
			return false
		}
		seen |= f
		switch f {
		case 1:
			return s.text(&d.Kind)
		case 2:
			return s.text(&d.Lead)
		case 4:
			return s.string(&d.Campaign)
		case 8:
			return s.text(&d.Referrer)
		default:
			d.Channel = new(customer.Channel)
			return s.text(d.Channel)
		}
	})
}

// money reads a crm.Money object {"amount": "…", "currency": "…"} whose
// amount is a string; other forms go to json.Unmarshal.
func (s *oppScanner) money(m *crm.Money) bool {
	var amount, code []byte
	s.ws()
	start := s.i
	ok := s.object(func(key []byte) bool {
		var v []byte
		var ok bool
		switch string(key) {
		case "amount":
			if amount != nil {
				return false
			}
			v, ok = s.str()
			amount = v
		case "currency":
			if code != nil {
				return false
			}
			v, ok = s.str()
			code = v
		}
		return ok
	})
	// Money.UnmarshalJSON refuses objects longer than this.
	const maxMoneyJSON = 512
	if !ok || s.i-start > maxMoneyJSON || !plainAmount(amount) || !currencyCode(code) {
		return false
	}
	// With those shapes, ParseMoney reads the amount and the code exactly
	// as Money.UnmarshalJSON does.
	v, err := crm.ParseMoney(string(amount) + " " + string(code))
	if err != nil {
		return false
	}
	*m = v
	return true
}

// plainAmount reports whether b is a non-empty run of digits, '.' and a
// leading '-'.
func plainAmount(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for i, c := range b {
		if (c < '0' || c > '9') && c != '.' && (c != '-' || i != 0) {
			return false
		}
	}
	return true
}

// currencyCode reports whether b is three upper-case ASCII letters.
func currencyCode(b []byte) bool {
	if len(b) != 3 {
		return false
	}
	for _, c := range b {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// object reads an object, calling member with each key once the colon
// after it is read; member reads the value.
func (s *oppScanner) object(member func(key []byte) bool) bool {
	if !s.lit('{') {
		return false
	}
	if s.lit('}') {
		return true
	}
	for {
		key, ok := s.str()
		if !ok || !s.lit(':') || !member(key) {
			return false
		}
		if !s.lit(',') {
			return s.lit('}')
		}
	}
}

// ws skips white space.
func (s *oppScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// lit reads the byte c after white space.
func (s *oppScanner) lit(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a string with no escape sequence and returns its bytes (a
// part of the input); strings with escapes, control characters or invalid
// UTF-8 are left to json.Unmarshal.
func (s *oppScanner) str() ([]byte, bool) {
	if !s.lit('"') {
		return nil, false
	}
	start, ascii := s.i, true
	for j := start; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			v := s.b[start:j]
			if !ascii && !utf8.Valid(v) {
				return nil, false
			}
			s.i = j + 1
			return v, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// string reads a string into p; one with escape sequences is unquoted by
// json.Unmarshal, as it would be inside the document.
func (s *oppScanner) string(p *string) bool {
	at := s.i
	if v, ok := s.str(); ok {
		*p = string(v)
		return true
	}
	s.i = at
	tok, ok := s.quoted()
	return ok && json.Unmarshal(tok, p) == nil
}

// quoted reads a string and returns it with its quotes and escapes as
// they are.
func (s *oppScanner) quoted() ([]byte, bool) {
	if !s.lit('"') {
		return nil, false
	}
	start := s.i - 1
	for j := s.i; j < len(s.b); j++ {
		switch s.b[j] {
		case '\\':
			j++
		case '"':
			s.i = j + 1
			return s.b[start:s.i], true
		}
	}
	return nil, false
}

// text reads a string into u through its UnmarshalText, as encoding/json
// does.
func (s *oppScanner) text(u encoding.TextUnmarshaler) bool {
	v, ok := s.str()
	return ok && u.UnmarshalText(v) == nil
}

// number reads a JSON number and returns its text.
func (s *oppScanner) number() ([]byte, bool) {
	s.ws()
	b, j := s.b, s.i
	digits := func() bool {
		k := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		return j > k
	}
	if j < len(b) && b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case !digits():
		return nil, false
	}
	if j < len(b) && b[j] == '.' {
		j++
		if !digits() {
			return nil, false
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if !digits() {
			return nil, false
		}
	}
	v := b[s.i:j]
	s.i = j
	return v, true
}

// int64 reads an integer written without fraction or exponent.
func (s *oppScanner) int64(p *int64) bool {
	v, ok := s.number()
	if !ok || bytes.ContainsAny(v, ".eE") {
		return false
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return false
	}
	*p = n
	return true
}

// float64 reads a number as encoding/json does.
func (s *oppScanner) float64(p *float64) bool {
	v, ok := s.number()
	if !ok {
		return false
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		return false
	}
	*p = f
	return true
}

// raw hands the next value (an object or an array) to json.Unmarshal.
func (s *oppScanner) raw(p any) bool {
	s.ws()
	if s.i >= len(s.b) || (s.b[s.i] != '{' && s.b[s.i] != '[') {
		return false
	}
	start, depth := s.i, 0
	for j := start; j < len(s.b); j++ {
		switch s.b[j] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				s.i = j + 1
				return json.Unmarshal(s.b[start:s.i], p) == nil
			}
		case '"':
			for j++; j < len(s.b) && s.b[j] != '"'; j++ {
				if s.b[j] == '\\' {
					j++
				}
			}
		}
	}
	return false
}
