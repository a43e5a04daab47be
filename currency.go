package crm

import (
	"strconv"
	"strings"
)

// isoCurrencies is ISO 4217 Table A.1 ("list one": current currencies and
// funds), as maintained by SIX Group on behalf of ISO
// (https://www.six-group.com/en/products-services/financial-information/data-standards.html),
// in the edition published on 1 January 2026: 178 codes. ANG (replaced by
// XCG), BGN (Bulgaria adopted the euro), CUC, SLL (redenominated to SLE) and
// ZWL (replaced by ZWG) are historic there and therefore refused here.
//
// Each entry is 4 bytes: the alphabetic code and its minor units as a digit,
// or '-' where the list says "N.A." (precious metals, bond market units,
// XDR, XSU, XUA, XTS and XXX). Entries are sorted by code so lookups can
// search in halves. MGA and MRU are listed with 2 minor units although their
// subdivision is not decimal; the list's value is used.
//
// A constant string keeps the table immutable and free of start-up work.
const isoCurrencies = "" +
	"AED2AFN2ALL2AMD2AOA2ARS2AUD2AWG2AZN2" +
	"BAM2BBD2BDT2BHD3BIF0BMD2BND2BOB2BOV2BRL2BSD2BTN2BWP2BYN2BZD2" +
	"CAD2CDF2CHE2CHF2CHW2CLF4CLP0CNY2COP2COU2CRC2CUP2CVE2CZK2" +
	"DJF0DKK2DOP2DZD2" +
	"EGP2ERN2ETB2EUR2" +
	"FJD2FKP2" +
	"GBP2GEL2GHS2GIP2GMD2GNF0GTQ2GYD2" +
	"HKD2HNL2HTG2HUF2" +
	"IDR2ILS2INR2IQD3IRR2ISK0" +
	"JMD2JOD3JPY0" +
	"KES2KGS2KHR2KMF0KPW2KRW0KWD3KYD2KZT2" +
	"LAK2LBP2LKR2LRD2LSL2LYD3" +
	"MAD2MDL2MGA2MKD2MMK2MNT2MOP2MRU2MUR2MVR2MWK2MXN2MXV2MYR2MZN2" +
	"NAD2NGN2NIO2NOK2NPR2NZD2" +
	"OMR3" +
	"PAB2PEN2PGK2PHP2PKR2PLN2PYG0" +
	"QAR2" +
	"RON2RSD2RUB2RWF0" +
	"SAR2SBD2SCR2SDG2SEK2SGD2SHP2SLE2SOS2SRD2SSP2STN2SVC2SYP2SZL2" +
	"THB2TJS2TMT2TND3TOP2TRY2TTD2TWD2TZS2" +
	"UAH2UGX0USD2USN2UYI0UYU2UYW4UZS2" +
	"VED2VES2VND0VUV0" +
	"WST2" +
	"XAD2XAF0XAG-XAU-XBA-XBB-XBC-XBD-XCD2XCG2XDR-XOF0XPD-XPF0XPT-XSU-XTS-XUA-XXX-" +
	"YER2" +
	"ZAR2ZMW2ZWG2"

const (
	isoEntryLen   = 4
	isoCount      = len(isoCurrencies) / isoEntryLen
	maxCurrencyIn = 32 // longest input ParseCurrency looks at, spaces included
)

// Currency is an ISO 4217 currency from the current list (Table A.1). It is
// a small comparable value: use == to compare currencies and use it as a map
// key. The zero value means "no currency"; it is never valid in a [Money].
//
// Persist a currency by its [Currency.Code] (or MarshalText); the internal
// representation is not stable across releases.
type Currency struct {
	// i is 1 + the index of the entry in isoCurrencies; 0 means none.
	i uint16
}

// ParseCurrency returns the currency with the ISO 4217 alphabetic code.
// Surrounding white space is ignored and letters may be in either case
// ("eur", " EUR " -> EUR). Empty, malformed, overlong and unknown codes
// (including historic ones such as ANG, HRK or CUC) are refused with an
// error matching [ErrInvalid].
func ParseCurrency(code string) (Currency, error) {
	const op = "crm.ParseCurrency"
	if len(code) > maxCurrencyIn {
		return Currency{}, Invalid(op, "", "longer than "+strconv.Itoa(maxCurrencyIn)+" bytes")
	}
	s := strings.TrimSpace(code)
	if s == "" {
		return Currency{}, Invalid(op, "", "must not be empty")
	}
	c, ok := lookupCurrency(s)
	if !ok {
		return Currency{}, Invalid(op, "", currencyProblem(s))
	}
	return c, nil
}

// MustCurrency is like [ParseCurrency] but panics on error. Use it only for
// constants in tests and examples.
func MustCurrency(code string) Currency {
	c, err := ParseCurrency(code)
	if err != nil {
		panic(err)
	}
	return c
}

// Currencies returns every known currency, ordered by code. The slice is
// new on every call; the caller may keep and modify it.
func Currencies() []Currency {
	out := make([]Currency, isoCount)
	for i := range out {
		out[i] = Currency{i: uint16(i + 1)}
	}
	return out
}

// Code returns the three-letter ISO 4217 code, e.g. "EUR", or "" for the
// zero Currency.
func (c Currency) Code() string {
	if c.i == 0 || int(c.i) > isoCount {
		return ""
	}
	off := (int(c.i) - 1) * isoEntryLen
	return isoCurrencies[off : off+3]
}

// MinorUnits returns the number of decimal places of the currency's minor
// unit as ISO 4217 lists it: EUR 2, JPY 0, BHD 3, CLF 4. Codes for which the
// list gives no minor unit (see [Currency.NoMinorUnits]) and the zero
// Currency return 0.
func (c Currency) MinorUnits() int32 {
	if c.i == 0 || int(c.i) > isoCount {
		return 0
	}
	d := isoCurrencies[(int(c.i)-1)*isoEntryLen+3]
	if d == '-' {
		return 0
	}
	return int32(d - '0')
}

// NoMinorUnits reports whether ISO 4217 lists no minor unit ("N.A.") for
// the currency: the precious metals (XAU, XAG, XPD, XPT), the bond market
// units (XBA to XBD), XDR, XSU, XUA, XTS and XXX. For these [Currency.MinorUnits]
// returns 0, so [Money.Round], [Money.Div] and [Money.Allocate] work in whole
// units; use [Money.RoundTo] with explicit places to keep fractions (e.g.
// ounces of gold to 3 places).
func (c Currency) NoMinorUnits() bool {
	if c.i == 0 || int(c.i) > isoCount {
		return false
	}
	return isoCurrencies[(int(c.i)-1)*isoEntryLen+3] == '-'
}

// IsZero reports whether c is the zero Currency ("no currency").
func (c Currency) IsZero() bool { return c.i == 0 }

// String returns the code, like [Currency.Code].
func (c Currency) String() string { return c.Code() }

// MarshalText implements encoding.TextMarshaler: the code, or empty text for
// the zero Currency.
func (c Currency) MarshalText() ([]byte, error) { return []byte(c.Code()), nil }

// UnmarshalText implements encoding.TextUnmarshaler like [ParseCurrency].
// Empty text gives the zero Currency so that optional fields round-trip; use
// ParseCurrency to refuse it.
func (c *Currency) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*c = Currency{}
		return nil
	}
	if len(b) > maxCurrencyIn {
		return Invalid("crm.Currency", "", "longer than "+strconv.Itoa(maxCurrencyIn)+" bytes")
	}
	v, err := ParseCurrency(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// lookupCurrency finds a three-letter code, in either case, without
// allocating.
func lookupCurrency(s string) (Currency, bool) {
	if len(s) != 3 {
		return Currency{}, false
	}
	var k [3]byte
	for i := range 3 {
		b := s[i]
		if 'a' <= b && b <= 'z' {
			b -= 'a' - 'A'
		}
		if b < 'A' || b > 'Z' {
			return Currency{}, false
		}
		k[i] = b
	}
	lo, hi := 0, isoCount
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		off := mid * isoEntryLen
		switch cmp3(k, isoCurrencies[off:off+3]) {
		case 0:
			return Currency{i: uint16(mid + 1)}, true
		case 1:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return Currency{}, false
}

// cmp3 compares a 3-byte key with a 3-byte table code.
func cmp3(k [3]byte, code string) int {
	for i := range 3 {
		if k[i] != code[i] {
			if k[i] < code[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// isAlpha3 reports whether s is three ASCII letters.
func isAlpha3(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := range 3 {
		b := s[i] | 0x20
		if b < 'a' || b > 'z' {
			return false
		}
	}
	return true
}
