package postgres

import (
	"encoding"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// appendOppDoc appends d as json.Marshal writes it, byte for byte (checked
// by TestOppDocEncoder), without its reflection: the scalars are written in
// place and the lists and nested details, rarely present, by
// json.Marshal.
func appendOppDoc(b []byte, d *oppDoc) ([]byte, error) {
	e := oppEncoder{b: b}
	e.key(`{"id":`)
	e.text(d.ID)
	e.key(`,"tenant":`)
	e.string(d.Tenant)
	e.key(`,"version":`)
	e.b = strconv.AppendInt(e.b, d.Version, 10)
	e.key(`,"customer":`)
	e.text(d.Customer)
	e.key(`,"owner":`)
	e.string(d.Owner)
	e.key(`,"team":`)
	e.string(d.Team)
	e.key(`,"pipeline":`)
	e.string(d.Pipeline)
	e.key(`,"name":`)
	e.string(d.Name)
	e.key(`,"source":{"kind":`)
	e.text(d.Source.Kind)
	e.key(`,"lead":`)
	e.text(d.Source.Lead)
	if d.Source.Campaign != "" {
		e.key(`,"campaign":`)
		e.string(d.Source.Campaign)
	}
	e.key(`,"referrer":`)
	e.text(d.Source.Referrer)
	if d.Source.Channel != nil {
		e.key(`,"channel":`)
		e.text(*d.Source.Channel)
	}
	e.key(`},"segment":`)
	e.string(d.Segment)
	if len(d.Contacts) > 0 {
		e.key(`,"contacts":`)
		e.marshal(d.Contacts)
	}
	e.key(`,"currency":`)
	e.text(d.Currency)
	if d.Amount != nil {
		e.key(`,"amount":`)
		e.marshal(d.Amount)
	}
	if len(d.Lines) > 0 {
		e.key(`,"lines":`)
		e.marshal(d.Lines)
	}
	if len(d.Approvals) > 0 {
		e.key(`,"approvals":`)
		e.marshal(d.Approvals)
	}
	e.key(`,"status":`)
	e.text(d.Status)
	e.key(`,"stage":`)
	e.string(d.Stage)
	if d.ClosedFrom != "" {
		e.key(`,"closed_from":`)
		e.string(d.ClosedFrom)
	}
	e.key(`,"stage_since":`)
	e.text(d.StageSince)
	e.key(`,"stage_probability":`)
	e.float(d.StageProb)
	e.key(`,"stage_category":`)
	e.text(d.StageCat)
	if d.Override != nil {
		e.key(`,"probability_override":`)
		e.marshal(d.Override)
	}
	if d.Category != nil {
		e.key(`,"category":`)
		e.text(*d.Category)
	}
	if d.CloseDate != nil {
		e.key(`,"close_date":`)
		e.text(*d.CloseDate)
	}
	if d.NextStep != "" {
		e.key(`,"next_step":`)
		e.string(d.NextStep)
	}
	if d.NextDue != nil {
		e.key(`,"next_step_due":`)
		e.text(*d.NextDue)
	}
	if len(d.Competitors) > 0 {
		e.key(`,"competitors":`)
		e.marshal(d.Competitors)
	}
	if d.Won != nil {
		e.key(`,"won":`)
		e.marshal(d.Won)
	}
	if d.Lost != nil {
		e.key(`,"lost":`)
		e.marshal(d.Lost)
	}
	if d.ClosedAt != nil {
		e.key(`,"closed_at":`)
		e.text(*d.ClosedAt)
	}
	e.key(`,"reopens":`)
	e.b = strconv.AppendInt(e.b, int64(d.Reopens), 10)
	e.key(`,"created_at":`)
	e.text(d.CreatedAt)
	e.key(`,"updated_at":`)
	e.text(d.UpdatedAt)
	e.key(`,"seq":`)
	e.b = strconv.AppendInt(e.b, d.Seq, 10)
	e.key(`}`)
	if e.err != nil {
		return nil, e.err
	}
	return e.b, nil
}

// oppEncoder appends JSON to b, keeping the first error.
type oppEncoder struct {
	b   []byte
	err error
}

// key appends literal JSON.
func (e *oppEncoder) key(s string) { e.b = append(e.b, s...) }

// marshal appends v as json.Marshal writes it.
func (e *oppEncoder) marshal(v any) {
	j, err := json.Marshal(v)
	if err != nil {
		e.fail(err)
		return
	}
	e.b = append(e.b, j...)
}

// text appends the string form of v, as encoding/json writes a
// TextMarshaler (time.Time's JSON form is its text form in quotes).
func (e *oppEncoder) text(v encoding.TextMarshaler) {
	if t, ok := v.(time.Time); ok {
		// AppendText spares MarshalText's copy.
		out, err := t.AppendText(append(e.b, '"'))
		if err != nil { // out is nil: e.b is kept as it was
			e.fail(err)
			return
		}
		e.b = append(out, '"')
		return
	}
	s, err := v.MarshalText()
	if err != nil {
		e.fail(err)
		return
	}
	for _, c := range s {
		if c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			e.b = appendJSONString(e.b, string(s))
			return
		}
	}
	e.b = append(append(append(e.b, '"'), s...), '"')
}

// string appends s as a JSON string.
func (e *oppEncoder) string(s string) { e.b = appendJSONString(e.b, s) }

// float appends f as encoding/json does.
func (e *oppEncoder) float(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		e.fail(errors.New("unsupported value: " + strconv.FormatFloat(f, 'g', -1, 64)))
		return
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	e.b = strconv.AppendFloat(e.b, f, format, -1, 64)
	if format == 'e' {
		// 1e-07 is written 1e-7.
		if n := len(e.b); n >= 4 && e.b[n-4] == 'e' && e.b[n-3] == '-' && e.b[n-2] == '0' {
			e.b[n-2] = e.b[n-1]
			e.b = e.b[:n-1]
		}
	}
}

// fail keeps the first error.
func (e *oppEncoder) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted as encoding/json writes strings: the
// short escapes, \u00XX for other control characters, <, > and & escaped,
// invalid UTF-8 replaced by \ufffd, U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
