package crm_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
)

func ExampleParseMoney() {
	for _, s := range []string{"123.45 EUR", "EUR 5", "-0.5 usd", "1000 JPY", "0.125 EUR"} {
		m, err := crm.ParseMoney(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(m)
	}
	// Refusals match crm.ErrInvalid and name the field.
	_, err := crm.ParseMoney("1,000.00 EUR")
	fmt.Println(errors.Is(err, crm.ErrInvalid))
	_, err = crm.ParseMoney("12 XYZ")
	fmt.Println(err)
	// Output:
	// 123.45 EUR
	// 5.00 EUR
	// -0.50 USD
	// 1000 JPY
	// 0.125 EUR
	// true
	// crm.ParseMoney: invalid input: currency: unknown ISO 4217 currency code "XYZ"
}

func ExampleMoney_Allocate() {
	total := crm.MustParseMoney("100.00 EUR")

	// Three equal shares: the leftover cent goes to the first part.
	parts, _ := total.Allocate(1, 1, 1)
	fmt.Println(parts)

	// A commission split 70/30 between two account managers.
	parts, _ = crm.MustParseMoney("0.05 EUR").Allocate(70, 30)
	fmt.Println(parts)

	// Mixing currencies is refused, never silently converted.
	_, err := total.Add(crm.MustParseMoney("1 USD"))
	fmt.Println(errors.Is(err, crm.ErrCurrencyMismatch))
	// Output:
	// [33.34 EUR 33.33 EUR 33.33 EUR]
	// [0.04 EUR 0.01 EUR]
	// true
}

func ExampleMoney_Round() {
	price := crm.MustParseMoney("19.99 EUR")
	vat := price.Mul(decimal.RequireFromString("0.19")) // exact: 3.7981
	fmt.Println(vat)
	fmt.Println(vat.Round(crm.RoundHalfEven))
	fmt.Println(vat.Round(crm.RoundDown))

	tie := crm.MustParseMoney("2.5 JPY")
	for _, mode := range []crm.RoundingMode{crm.RoundHalfEven, crm.RoundHalfUp, crm.RoundHalfDown, crm.RoundCeiling} {
		fmt.Println(mode, tie.Round(mode))
	}
	// Output:
	// 3.7981 EUR
	// 3.80 EUR
	// 3.79 EUR
	// half_even 2 JPY
	// half_up 3 JPY
	// half_down 2 JPY
	// ceiling 3 JPY
}

func ExampleMoney_Div() {
	m := crm.MustParseMoney("100.00 EUR")
	q, _ := m.Div(decimal.NewFromInt(3), crm.RoundHalfUp)
	fmt.Println(q)
	_, err := m.Div(decimal.Zero, crm.RoundHalfUp)
	fmt.Println(errors.Is(err, crm.ErrDivisionByZero))
	// Output:
	// 33.33 EUR
	// true
}

func ExampleMoney_MarshalJSON() {
	type order struct {
		Total    crm.Money `json:"total"`
		Discount crm.Money `json:"discount"` // zero Money: null
	}
	b, _ := json.Marshal(order{Total: crm.MustParseMoney("1234.5 EUR")})
	fmt.Println(string(b))

	var back order
	_ = json.Unmarshal([]byte(`{"total":{"amount":"0.10","currency":"USD"}}`), &back)
	fmt.Println(back.Total)
	// Output:
	// {"total":{"amount":"1234.50","currency":"EUR"},"discount":null}
	// 0.10 USD
}
