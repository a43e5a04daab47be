package customer

import (
	"slices"
	"strings"
)

// callingRegion is one row of the numbering table: an ISO 3166-1 alpha-2
// region, its international calling code (ITU-T E.164), the national trunk
// prefix dialled before a national number inside the region ("" when the
// region has none), its own international prefix where it differs from "00"
// ("" otherwise), and whether it is the region chosen for the calling code
// when only the number is known.
type callingRegion struct {
	region  string
	code    int
	trunk   string
	idd     string
	primary bool
}

// callingRegions lists every officially assigned ISO 3166-1 alpha-2 code
// plus AC (Ascension), TA (Tristan da Cunha) and XK (Kosovo), which have
// numbering of their own, sorted by region.
//
// Sources of the facts: the ITU's list of E.164 assigned country codes
// (annex to the ITU Operational Bulletin) for the calling codes, and the
// ITU's published national dialling procedures for the trunk and
// international prefixes; every row was checked against the metadata of
// Google's libphonenumber (resources/PhoneNumberMetadata.xml), which draws
// on the same ITU sources. Only fixed international prefixes other than
// "00" are recorded; where a region has several, the usual one is listed.
// Territories without numbering of their own (AQ, BV, GS, HM, TF, UM)
// carry the code used to reach them.
//
// The table is read-only: nothing in the package writes to it.
var callingRegions = [...]callingRegion{
	{"AC", 247, "", "", true},      // Ascension Island
	{"AD", 376, "", "", true},      // Andorra
	{"AE", 971, "0", "", true},     // United Arab Emirates
	{"AF", 93, "0", "", true},      // Afghanistan
	{"AG", 1, "1", "011", false},   // Antigua and Barbuda
	{"AI", 1, "1", "011", false},   // Anguilla
	{"AL", 355, "0", "", true},     // Albania
	{"AM", 374, "0", "", true},     // Armenia
	{"AO", 244, "", "", true},      // Angola
	{"AQ", 672, "", "", false},     // Antarctica
	{"AR", 54, "0", "", true},      // Argentina
	{"AS", 1, "1", "011", false},   // American Samoa
	{"AT", 43, "0", "", true},      // Austria
	{"AU", 61, "0", "0011", true},  // Australia
	{"AW", 297, "", "", true},      // Aruba
	{"AX", 358, "0", "", false},    // Åland Islands
	{"AZ", 994, "0", "", true},     // Azerbaijan
	{"BA", 387, "0", "", true},     // Bosnia and Herzegovina
	{"BB", 1, "1", "011", false},   // Barbados
	{"BD", 880, "0", "", true},     // Bangladesh
	{"BE", 32, "0", "", true},      // Belgium
	{"BF", 226, "", "", true},      // Burkina Faso
	{"BG", 359, "0", "", true},     // Bulgaria
	{"BH", 973, "", "", true},      // Bahrain
	{"BI", 257, "", "", true},      // Burundi
	{"BJ", 229, "", "", true},      // Benin
	{"BL", 590, "0", "", false},    // Saint Barthélemy
	{"BM", 1, "1", "011", false},   // Bermuda
	{"BN", 673, "", "", true},      // Brunei Darussalam
	{"BO", 591, "0", "", true},     // Bolivia
	{"BQ", 599, "", "", false},     // Bonaire, Sint Eustatius and Saba
	{"BR", 55, "0", "", true},      // Brazil
	{"BS", 1, "1", "011", false},   // Bahamas
	{"BT", 975, "", "", true},      // Bhutan
	{"BV", 47, "", "", false},      // Bouvet Island
	{"BW", 267, "", "", true},      // Botswana
	{"BY", 375, "8", "810", true},  // Belarus
	{"BZ", 501, "", "", true},      // Belize
	{"CA", 1, "1", "011", false},   // Canada
	{"CC", 61, "0", "0011", false}, // Cocos (Keeling) Islands
	{"CD", 243, "0", "", true},     // Congo, Democratic Republic
	{"CF", 236, "", "", true},      // Central African Republic
	{"CG", 242, "", "", true},      // Congo
	{"CH", 41, "0", "", true},      // Switzerland
	{"CI", 225, "", "", true},      // Côte d'Ivoire
	{"CK", 682, "", "", true},      // Cook Islands
	{"CL", 56, "", "", true},       // Chile
	{"CM", 237, "", "", true},      // Cameroon
	{"CN", 86, "0", "", true},      // China
	{"CO", 57, "0", "", true},      // Colombia
	{"CR", 506, "", "", true},      // Costa Rica
	{"CU", 53, "0", "119", true},   // Cuba
	{"CV", 238, "", "", true},      // Cabo Verde
	{"CW", 599, "", "", true},      // Curaçao
	{"CX", 61, "0", "0011", false}, // Christmas Island
	{"CY", 357, "", "", true},      // Cyprus
	{"CZ", 420, "", "", true},      // Czechia
	{"DE", 49, "0", "", true},      // Germany
	{"DJ", 253, "", "", true},      // Djibouti
	{"DK", 45, "", "", true},       // Denmark
	{"DM", 1, "1", "011", false},   // Dominica
	{"DO", 1, "1", "011", false},   // Dominican Republic
	{"DZ", 213, "0", "", true},     // Algeria
	{"EC", 593, "0", "", true},     // Ecuador
	{"EE", 372, "", "", true},      // Estonia
	{"EG", 20, "0", "", true},      // Egypt
	{"EH", 212, "0", "", false},    // Western Sahara
	{"ER", 291, "0", "", true},     // Eritrea
	{"ES", 34, "", "", true},       // Spain
	{"ET", 251, "0", "", true},     // Ethiopia
	{"FI", 358, "0", "", true},     // Finland
	{"FJ", 679, "", "", true},      // Fiji
	{"FK", 500, "", "", true},      // Falkland Islands
	{"FM", 691, "", "", true},      // Micronesia
	{"FO", 298, "", "", true},      // Faroe Islands
	{"FR", 33, "0", "", true},      // France
	{"GA", 241, "", "", true},      // Gabon
	{"GB", 44, "0", "", true},      // United Kingdom
	{"GD", 1, "1", "011", false},   // Grenada
	{"GE", 995, "0", "", true},     // Georgia
	{"GF", 594, "0", "", true},     // French Guiana
	{"GG", 44, "0", "", false},     // Guernsey
	{"GH", 233, "0", "", true},     // Ghana
	{"GI", 350, "", "", true},      // Gibraltar
	{"GL", 299, "", "", true},      // Greenland
	{"GM", 220, "", "", true},      // Gambia
	{"GN", 224, "", "", true},      // Guinea
	{"GP", 590, "0", "", true},     // Guadeloupe
	{"GQ", 240, "", "", true},      // Equatorial Guinea
	{"GR", 30, "", "", true},       // Greece
	{"GS", 500, "", "", false},     // South Georgia and the South Sandwich Islands
	{"GT", 502, "", "", true},      // Guatemala
	{"GU", 1, "1", "011", false},   // Guam
	{"GW", 245, "", "", true},      // Guinea-Bissau
	{"GY", 592, "", "001", true},   // Guyana
	{"HK", 852, "", "", true},      // Hong Kong
	{"HM", 672, "", "", false},     // Heard Island and McDonald Islands
	{"HN", 504, "", "", true},      // Honduras
	{"HR", 385, "0", "", true},     // Croatia
	{"HT", 509, "", "", true},      // Haiti
	{"HU", 36, "06", "", true},     // Hungary
	{"ID", 62, "0", "", true},      // Indonesia
	{"IE", 353, "0", "", true},     // Ireland
	{"IL", 972, "0", "", true},     // Israel
	{"IM", 44, "0", "", false},     // Isle of Man
	{"IN", 91, "0", "", true},      // India
	{"IO", 246, "", "", true},      // British Indian Ocean Territory
	{"IQ", 964, "0", "", true},     // Iraq
	{"IR", 98, "0", "", true},      // Iran
	{"IS", 354, "", "", true},      // Iceland
	{"IT", 39, "", "", true},       // Italy (the leading 0 is part of the number)
	{"JE", 44, "0", "", false},     // Jersey
	{"JM", 1, "1", "011", false},   // Jamaica
	{"JO", 962, "0", "", true},     // Jordan
	{"JP", 81, "0", "010", true},   // Japan
	{"KE", 254, "0", "000", true},  // Kenya
	{"KG", 996, "0", "", true},     // Kyrgyzstan
	{"KH", 855, "0", "", true},     // Cambodia
	{"KI", 686, "0", "", true},     // Kiribati
	{"KM", 269, "", "", true},      // Comoros
	{"KN", 1, "1", "011", false},   // Saint Kitts and Nevis
	{"KP", 850, "0", "", true},     // Korea, Democratic People's Republic
	{"KR", 82, "0", "", true},      // Korea, Republic
	{"KW", 965, "", "", true},      // Kuwait
	{"KY", 1, "1", "011", false},   // Cayman Islands
	{"KZ", 7, "8", "810", false},   // Kazakhstan
	{"LA", 856, "0", "", true},     // Lao People's Democratic Republic
	{"LB", 961, "0", "", true},     // Lebanon
	{"LC", 1, "1", "011", false},   // Saint Lucia
	{"LI", 423, "0", "", true},     // Liechtenstein
	{"LK", 94, "0", "", true},      // Sri Lanka
	{"LR", 231, "0", "", true},     // Liberia
	{"LS", 266, "", "", true},      // Lesotho
	{"LT", 370, "0", "", true},     // Lithuania
	{"LU", 352, "", "", true},      // Luxembourg
	{"LV", 371, "", "", true},      // Latvia
	{"LY", 218, "0", "", true},     // Libya
	{"MA", 212, "0", "", true},     // Morocco
	{"MC", 377, "0", "", true},     // Monaco
	{"MD", 373, "0", "", true},     // Moldova
	{"ME", 382, "0", "", true},     // Montenegro
	{"MF", 590, "0", "", false},    // Saint Martin (French part)
	{"MG", 261, "0", "", true},     // Madagascar
	{"MH", 692, "1", "011", true},  // Marshall Islands
	{"MK", 389, "0", "", true},     // North Macedonia
	{"ML", 223, "", "", true},      // Mali
	{"MM", 95, "0", "", true},      // Myanmar
	{"MN", 976, "0", "001", true},  // Mongolia
	{"MO", 853, "", "", true},      // Macao
	{"MP", 1, "1", "011", false},   // Northern Mariana Islands
	{"MQ", 596, "0", "", true},     // Martinique
	{"MR", 222, "", "", true},      // Mauritania
	{"MS", 1, "1", "011", false},   // Montserrat
	{"MT", 356, "", "", true},      // Malta
	{"MU", 230, "", "", true},      // Mauritius
	{"MV", 960, "", "", true},      // Maldives
	{"MW", 265, "0", "", true},     // Malawi
	{"MX", 52, "", "", true},       // Mexico
	{"MY", 60, "0", "", true},      // Malaysia
	{"MZ", 258, "", "", true},      // Mozambique
	{"NA", 264, "0", "", true},     // Namibia
	{"NC", 687, "", "", true},      // New Caledonia
	{"NE", 227, "", "", true},      // Niger
	{"NF", 672, "", "", true},      // Norfolk Island
	{"NG", 234, "0", "009", true},  // Nigeria
	{"NI", 505, "", "", true},      // Nicaragua
	{"NL", 31, "0", "", true},      // Netherlands
	{"NO", 47, "", "", true},       // Norway
	{"NP", 977, "0", "", true},     // Nepal
	{"NR", 674, "", "", true},      // Nauru
	{"NU", 683, "", "", true},      // Niue
	{"NZ", 64, "0", "", true},      // New Zealand
	{"OM", 968, "", "", true},      // Oman
	{"PA", 507, "", "", true},      // Panama
	{"PE", 51, "0", "", true},      // Peru
	{"PF", 689, "", "", true},      // French Polynesia
	{"PG", 675, "", "", true},      // Papua New Guinea
	{"PH", 63, "0", "", true},      // Philippines
	{"PK", 92, "0", "", true},      // Pakistan
	{"PL", 48, "", "", true},       // Poland
	{"PM", 508, "0", "", true},     // Saint Pierre and Miquelon
	{"PN", 64, "", "", false},      // Pitcairn
	{"PR", 1, "1", "011", false},   // Puerto Rico
	{"PS", 970, "0", "", true},     // Palestine, State of
	{"PT", 351, "", "", true},      // Portugal
	{"PW", 680, "", "", true},      // Palau
	{"PY", 595, "0", "", true},     // Paraguay
	{"QA", 974, "", "", true},      // Qatar
	{"RE", 262, "0", "", true},     // Réunion
	{"RO", 40, "0", "", true},      // Romania
	{"RS", 381, "0", "", true},     // Serbia
	{"RU", 7, "8", "810", true},    // Russian Federation
	{"RW", 250, "0", "", true},     // Rwanda
	{"SA", 966, "0", "", true},     // Saudi Arabia
	{"SB", 677, "", "", true},      // Solomon Islands
	{"SC", 248, "", "", true},      // Seychelles
	{"SD", 249, "0", "", true},     // Sudan
	{"SE", 46, "0", "", true},      // Sweden
	{"SG", 65, "", "", true},       // Singapore
	{"SH", 290, "", "", true},      // Saint Helena
	{"SI", 386, "0", "", true},     // Slovenia
	{"SJ", 47, "", "", false},      // Svalbard and Jan Mayen
	{"SK", 421, "0", "", true},     // Slovakia
	{"SL", 232, "0", "", true},     // Sierra Leone
	{"SM", 378, "", "", true},      // San Marino
	{"SN", 221, "", "", true},      // Senegal
	{"SO", 252, "0", "", true},     // Somalia
	{"SR", 597, "", "", true},      // Suriname
	{"SS", 211, "0", "", true},     // South Sudan
	{"ST", 239, "", "", true},      // Sao Tome and Principe
	{"SV", 503, "", "", true},      // El Salvador
	{"SX", 1, "1", "011", false},   // Sint Maarten (Dutch part)
	{"SY", 963, "0", "", true},     // Syrian Arab Republic
	{"SZ", 268, "", "", true},      // Eswatini
	{"TA", 290, "", "", false},     // Tristan da Cunha
	{"TC", 1, "1", "011", false},   // Turks and Caicos Islands
	{"TD", 235, "", "", true},      // Chad
	{"TF", 262, "0", "", false},    // French Southern Territories
	{"TG", 228, "", "", true},      // Togo
	{"TH", 66, "0", "", true},      // Thailand
	{"TJ", 992, "", "810", true},   // Tajikistan
	{"TK", 690, "", "", true},      // Tokelau
	{"TL", 670, "", "", true},      // Timor-Leste
	{"TM", 993, "8", "810", true},  // Turkmenistan
	{"TN", 216, "", "", true},      // Tunisia
	{"TO", 676, "", "", true},      // Tonga
	{"TR", 90, "0", "", true},      // Türkiye
	{"TT", 1, "1", "011", false},   // Trinidad and Tobago
	{"TV", 688, "", "", true},      // Tuvalu
	{"TW", 886, "0", "", true},     // Taiwan
	{"TZ", 255, "0", "", true},     // Tanzania
	{"UA", 380, "0", "", true},     // Ukraine
	{"UG", 256, "0", "", true},     // Uganda
	{"UM", 1, "1", "011", false},   // United States Minor Outlying Islands
	{"US", 1, "1", "011", true},    // United States of America
	{"UY", 598, "0", "", true},     // Uruguay
	{"UZ", 998, "", "", true},      // Uzbekistan
	{"VA", 39, "", "", false},      // Holy See (Vatican City)
	{"VC", 1, "1", "011", false},   // Saint Vincent and the Grenadines
	{"VE", 58, "0", "", true},      // Venezuela
	{"VG", 1, "1", "011", false},   // Virgin Islands (British)
	{"VI", 1, "1", "011", false},   // Virgin Islands (U.S.)
	{"VN", 84, "0", "", true},      // Viet Nam
	{"VU", 678, "", "", true},      // Vanuatu
	{"WF", 681, "", "", true},      // Wallis and Futuna
	{"WS", 685, "", "", true},      // Samoa
	{"XK", 383, "0", "", true},     // Kosovo (user-assigned code, in common use)
	{"YE", 967, "0", "", true},     // Yemen
	{"YT", 262, "0", "", false},    // Mayotte
	{"ZA", 27, "0", "", true},      // South Africa
	{"ZM", 260, "0", "", true},     // Zambia
	{"ZW", 263, "0", "", true},     // Zimbabwe
}

// lookupRegion returns the table row for an upper-case region code.
func lookupRegion(region string) (callingRegion, bool) {
	i, ok := slices.BinarySearchFunc(callingRegions[:], region, func(r callingRegion, target string) int {
		return strings.Compare(r.region, target)
	})
	if !ok {
		return callingRegion{}, false
	}
	return callingRegions[i], true
}

// primaryByCode maps a calling code (at most three digits) to the index
// plus one of its primary row in callingRegions; 0 means no region uses the
// code. It is built once and never changed.
var primaryByCode = func() (idx [1000]int16) {
	for i, r := range callingRegions {
		if r.primary && r.code > 0 && r.code < len(idx) {
			idx[r.code] = int16(i + 1)
		}
	}
	return idx
}()

// primaryForCode returns the row chosen for a calling code.
func primaryForCode(code int) (callingRegion, bool) {
	if code <= 0 || code >= len(primaryByCode) || primaryByCode[code] == 0 {
		return callingRegion{}, false
	}
	return callingRegions[primaryByCode[code]-1], true
}

// IsKnownRegion reports whether region is a code of the package's region
// table: every officially assigned ISO 3166-1 alpha-2 code, plus AC, TA and
// XK. The comparison is exact: region must be upper case.
func IsKnownRegion(region string) bool {
	_, ok := lookupRegion(region)
	return ok
}

// KnownRegions returns every region code of the table, sorted. The slice is
// new on each call; the caller may change it.
func KnownRegions() []string {
	out := make([]string, len(callingRegions))
	for i, r := range callingRegions {
		out[i] = r.region
	}
	return out
}

// CallingCodeForRegion returns the international calling code of an
// upper-case region code (44 for "GB", 1 for "CA"), and false when the
// region is not in the table.
func CallingCodeForRegion(region string) (int, bool) {
	r, ok := lookupRegion(region)
	return r.code, ok
}

// RegionForCallingCode returns the region a calling code stands for when
// only the number is known. Codes shared by several regions map to one of
// them: 1 to "US", 7 to "RU", 44 to "GB", 47 to "NO", 61 to "AU", 64 to
// "NZ", 262 to "RE", 290 to "SH", 358 to "FI", 39 to "IT", 500 to "FK",
// 590 to "GP", 599 to "CW", 672 to "NF" and 212 to "MA". It returns false
// for codes no region uses (including the non-geographic codes such as 800
// and 882).
func RegionForCallingCode(code int) (string, bool) {
	r, ok := primaryForCode(code)
	return r.region, ok
}

// RegionsForCallingCode returns every region that uses a calling code, the
// one [RegionForCallingCode] picks first and the others in alphabetical
// order; nil when no region uses it.
func RegionsForCallingCode(code int) []string {
	var out []string
	for _, r := range callingRegions {
		if r.code != code {
			continue
		}
		if r.primary {
			out = append([]string{r.region}, out...)
		} else {
			out = append(out, r.region)
		}
	}
	return out
}
