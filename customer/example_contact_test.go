package customer_test

import (
	"errors"
	"fmt"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

func ExampleParseEmail() {
	e, err := customer.ParseEmail("  Li.Na@Example.COM ")
	if err != nil {
		panic(err)
	}
	fmt.Println(e)
	fmt.Println(e.Normalized())

	_, err = customer.ParseEmail("Li Na <li.na@example.com>")
	fmt.Println(errors.Is(err, crm.ErrInvalid))
	fmt.Println(err)
	// Output:
	// Li.Na@example.com
	// li.na@example.com
	// true
	// customer.ParseEmail: invalid input: display names are not accepted: give the bare address
}

func ExampleParsePhone() {
	for _, in := range []struct{ number, region string }{
		{"+86 138 0013 8000", ""},
		{"(020) 7946 0958", "GB"},
		{"00 49 30 1234567", ""},
		{"06 6982 1234", "IT"},
		{"1 (416) 555-0100 ext. 12", "CA"},
	} {
		p, err := customer.ParsePhone(in.number, in.region)
		if err != nil {
			panic(err)
		}
		fmt.Println(p.Region(), p.CountryCode(), p)
	}
	_, err := customer.ParsePhone("020 7946 0958", "")
	fmt.Println(err)
	// Output:
	// CN 86 +8613800138000
	// GB 44 +442079460958
	// DE 49 +49301234567
	// IT 39 +390669821234
	// CA 1 +14165550100;ext=12
	// customer.ParsePhone: invalid input: region: a national number needs a default region; or write it with + and the calling code
}

func ExamplePhone_MarshalText() {
	p, err := customer.ParsePhone("+1 416 555 0100", "CA")
	if err != nil {
		panic(err)
	}
	text, _ := p.MarshalText()
	fmt.Println(string(text))

	var back customer.Phone
	if err := back.UnmarshalText(text); err != nil {
		panic(err)
	}
	fmt.Println(back.Region(), back == p)
	// Output:
	// +14165550100;region=CA
	// CA true
}

func ExampleNewAddress() {
	a, err := customer.NewAddress(customer.Address{
		Label:      "office",
		Lines:      []string{" 10 Downing Street ", ""},
		Locality:   "London",
		PostalCode: "sw1a 2aa",
		Country:    "gb",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(a)
	fmt.Println(a.Normalized())

	_, err = customer.NewAddress(customer.Address{Country: "XX"})
	fmt.Println(err)
	// Output:
	// 10 Downing Street, London, SW1A 2AA, GB
	// 10 downing street|london||sw1a2aa|gb
	// customer.NewAddress: invalid input: lines: at least one line is required; country: unknown country "XX": want an upper-case ISO 3166-1 alpha-2 code
}

func ExampleNormalizeName() {
	fmt.Println(customer.NormalizeName("  José  Núñez-O'Brien "))
	fmt.Println(customer.NormalizeName("Wáng Wěi"))
	fmt.Println(customer.NormalizeName("山田　太郎"))
	// Output:
	// jose nunez obrien
	// wang wei
	// 山田 太郎
}

func ExampleNormalizeOrgName() {
	fmt.Println(customer.NormalizeOrgName("Acme Holdings Co., Ltd."))
	fmt.Println(customer.NormalizeOrgName("Müller GmbH & Co. KG"))
	fmt.Println(customer.NormalizeOrgName("华为技术有限公司"))
	// Output:
	// acme holdings
	// muller
	// 华为技术
}

func ExampleNameSimilarity() {
	fmt.Printf("%.3f\n", customer.NameSimilarity("MARTHA", "MARHTA"))
	fmt.Printf("%.3f\n", customer.NameSimilarity("Wang Wei", "Wei Wang"))
	fmt.Printf("%.3f\n", customer.NameSimilarity("José Núñez", "JOSE NUNEZ"))
	fmt.Printf("%.3f\n", customer.NameSimilarity("王伟", "王玮"))
	fmt.Printf("%.3f\n", customer.NameSimilarity("Anna Lee", "Piotr Kowalski"))
	// Output:
	// 0.961
	// 1.000
	// 1.000
	// 0.700
	// 0.419
}

func ExampleRegionForCallingCode() {
	region, _ := customer.RegionForCallingCode(44)
	fmt.Println(region, customer.RegionsForCallingCode(44))
	code, _ := customer.CallingCodeForRegion("CN")
	fmt.Println(code)
	// Output:
	// GB [GB GG IM JE]
	// 86
}
