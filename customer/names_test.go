package customer

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestNormalizeName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"only punctuation", " !?-- ", ""},
		{"trim and collapse", "  John \t\n  SMITH  ", "john smith"},
		{"spanish", "José Ñúñez", "jose nunez"},
		{"german umlaut and sharp s", "Jürgen Müller-Straße", "jurgen muller strasse"},
		{"capital sharp s", "GROẞ", "gross"},
		{"nordic", "Søren Ångström Ærø", "soren angstrom aero"},
		{"french", "François Œuvre Noël", "francois oeuvre noel"},
		{"polish", "Łukasz Żółć", "lukasz zolc"},
		{"czech", "Dvořák Šťastný", "dvorak stastny"},
		{"turkish", "İlkay Işık Gündoğan", "ilkay isik gundogan"},
		{"icelandic", "Þór Guðmundsdóttir", "thor gudmundsdottir"},
		{"romanian comma below", "Ștefan Țiriac", "stefan tiriac"},
		{"vietnamese", "Nguyễn Văn Đức", "nguyen van duc"},
		{"pinyin tones", "Wáng Wěi Lǚ", "wang wei lu"},
		{"digraphs", "ǅemal Ǉubić", "dzemal ljubic"},
		{"decomposed accents", "Jose\u0301 Mu\u0308ller", "jose muller"},
		{"apostrophes vanish", "O'Brien D’Arcy", "obrien darcy"},
		{"full stops vanish", "J.R.R. Tolkien", "jrr tolkien"},
		{"hyphen and comma separate", "Smith-Jones, Anna", "smith jones anna"},
		{"symbols separate", "Tom&Jerry+Co", "tom jerry co"},
		{"chinese kept as runes", "王伟", "王伟"},
		{"chinese transliteration dot", "约翰·史密斯", "约翰 史密斯"},
		{"japanese with ideographic space", "山田　太郎", "山田 太郎"},
		{"full-width latin", "ＡＢＣ　Ｃｏ．", "abc co"},
		{"korean", "김 민준", "김 민준"},
		{"greek final sigma", "ΟΔΥΣΣΕΥΣ Οδυσσευς", "οδυσσευσ οδυσσευσ"},
		{"cyrillic yo", "Фёдор ЁЛКИН", "федор елкин"},
		{"zero-width and control characters vanish", "An\u200bna\x00 Lee\u200d", "anna lee"},
		{"invalid UTF-8 separates", "ab\xffcd", "ab cd"},
		{"digits kept", "Louis XIV 2nd", "louis xiv 2nd"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := NormalizeName(tc.in)
			require.Equal(t, tc.want, got)
			require.Equal(t, got, NormalizeName(got), "normalising twice changes nothing")
		})
	}
}

func TestFoldLatinCoversTables(t *testing.T) {
	t.Parallel()
	// Every folded letter of the tables is plain lower-case ASCII, and every
	// upper-case letter folds like its lower-case partner.
	for r := rune(0xC0); r <= 0x24F; r++ {
		checkFold(t, r)
	}
	for r := rune(0x1E00); r <= 0x1EFF; r++ {
		checkFold(t, r)
	}
}

func checkFold(t testing.TB, r rune) {
	t.Helper()
	a, b := foldLatin(r)
	if a != r || b != 0 {
		require.True(t, a >= 'a' && a <= 'z', "%U folds to %q", r, a)
		require.True(t, b == 0 || b >= 'a' && b <= 'z', "%U folds to %q%q", r, a, b)
	}
	// NormalizeName lower-cases before folding, so a capital must fold
	// like its lower-case partner, wherever that partner is.
	lower := unicode.ToLower(r)
	la, lb := foldLatin(lower)
	if a == r && b == 0 && la == lower && lb == 0 {
		return // neither is folded
	}
	require.Equal(t, [2]rune{a, b}, [2]rune{la, lb}, "%U and its lower case %U fold differently", r, lower)
}

func TestNormalizeOrgName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"co ltd", "Acme Holdings Co., Ltd.", "acme holdings"},
		{"gmbh & co kg", "Müller GmbH & Co. KG", "muller"},
		{"ag", "Siemens AG", "siemens"},
		{"inc", "Apple Inc.", "apple"},
		{"corporation", "Microsoft Corporation", "microsoft"},
		{"llc", "Example, LLC", "example"},
		{"plc", "Tesco PLC", "tesco"},
		{"a/s", "Novo Nordisk A/S", "novo nordisk"},
		{"ab", "Volvo AB", "volvo"},
		{"sa de cv", "Grupo Bimbo, S.A.B. de C.V.", "grupo bimbo"},
		{"sp z o.o.", "Kowalski Sp. z o.o.", "kowalski"},
		{"sdn bhd", "Petronas Sdn. Bhd.", "petronas"},
		{"pty ltd", "Example Pty Ltd", "example"},
		{"pt prefix and tbk", "PT Bank Central Asia Tbk", "bank central asia"},
		{"russian ooo", "ООО «Ромашка»", "ромашка"},
		{"chinese", "华为技术有限公司", "华为技术"},
		{"chinese joint stock", "中国平安保险(集团)股份有限公司", "中国平安保险 集团"},
		{"chinese limited liability", "北京某某科技有限责任公司", "北京某某科技"},
		{"japanese suffix", "トヨタ自動車株式会社", "トヨタ自動車"},
		{"japanese prefix", "株式会社資生堂", "資生堂"},
		{"korean prefix", "주식회사 카카오", "카카오"},
		{"form inside the name is kept", "Limited Brands Holdings", "limited brands holdings"},
		{"never the last word", "Limited", "limited"},
		{"never the last word after stripping", "Ltd Co", "ltd"},
		{"chinese form alone", "有限公司", "有限公司"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := NormalizeOrgName(tc.in)
			require.Equal(t, tc.want, got)
			require.Equal(t, got, NormalizeOrgName(got), "normalising twice changes nothing")
		})
	}
}

func TestJaroWinklerLiterature(t *testing.T) {
	t.Parallel()
	// Values from W. E. Winkler (1990), "String Comparator Metrics and
	// Enhanced Decision Rules in the Fellegi-Sunter Model of Record
	// Linkage", also used in the Wikipedia article "Jaro-Winkler distance".
	// The exact fractions are computed by hand in the comments.
	tests := []struct {
		a, b      string
		jaro, jw  float64
		published float64
	}{
		// 6 matches, 1 transposition: (1 + 1 + 5/6)/3 = 17/18; prefix 3.
		{"MARTHA", "MARHTA", 17.0 / 18, 17.0/18 + 0.3*(1.0/18), 0.961},
		// 4 matches, none out of order: (4/6 + 4/5 + 1)/3 = 37/45; prefix 1.
		{"DWAYNE", "DUANE", 37.0 / 45, 37.0/45 + 0.1*(8.0/45), 0.84},
		// 4 matches: (4/5 + 4/8 + 1)/3 = 2.3/3; prefix 2.
		{"DIXON", "DICKSONX", 2.3 / 3, 2.3/3 + 0.2*(0.7/3), 0.813},
		// 3 matches, no common prefix: (3/5 + 3/5 + 1)/3 = 2.2/3.
		{"CRATE", "TRACE", 2.2 / 3, 2.2 / 3, 0.733},
		{"ABC", "XYZ", 0, 0, 0},
		{"A", "A", 1, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.a+"/"+tc.b, func(t *testing.T) {
			t.Parallel()
			a, b := []rune(tc.a), []rune(tc.b)
			require.InDelta(t, tc.jaro, jaro(a, b), 1e-12)
			require.InDelta(t, tc.jw, jaroWinkler(a, b), 1e-12)
			require.InDelta(t, tc.jw, jaroWinkler(b, a), 1e-12)
			require.InDelta(t, tc.published, NameSimilarity(tc.a, tc.b), 0.0005)
			require.InDelta(t, tc.published, NameSimilarity(tc.b, tc.a), 0.0005)
		})
	}
}

func TestNameSimilarity(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 300)
	tests := []struct {
		name, a, b string
		min, max   float64
	}{
		{"same", "Anna Lee", "Anna Lee", 1, 1},
		{"case and accents", "José Núñez", "JOSE NUNEZ", 1, 1},
		{"word order", "Wang Wei", "Wei Wang", 1, 1},
		{"word order with comma", "Smith, John", "John Smith", 1, 1},
		{"chinese same", "王伟", "王伟", 1, 1},
		// 1 of 2 runes match, prefix 1: 2/3 + 0.1/3 = 0.7.
		{"chinese one character differs", "王伟", "王玮", 0.7, 0.7},
		{"typo", "Jonathan Smith", "Jonathon Smith", 0.95, 0.99},
		{"unrelated", "Anna Lee", "Piotr Kowalski", 0, 0.5},
		{"nothing in common", "abc", "xyz", 0, 0},
		{"empty", "", "", 0, 0},
		{"one empty", "Anna", "", 0, 0},
		{"only punctuation", "...", "Anna", 0, 0},
		{"longer than the stack buffers", strings.Repeat("abc ", 40), strings.Repeat("abc ", 39) + "abd", 0.99, 1},
		{"only the first 256 runes count", long + "x", long + "y", 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := NameSimilarity(tc.a, tc.b)
			require.GreaterOrEqual(t, got, tc.min-1e-12)
			require.LessOrEqual(t, got, tc.max+1e-12)
			require.Equal(t, got, NameSimilarity(tc.b, tc.a), "symmetric")
		})
	}
}

func TestNameSimilarityAllocatesNothing(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		_ = NameSimilarity("José Núñez García", "GARCIA, Jose Nunez")
		_ = NameSimilarity("王伟", "王玮")
	})
	require.Zero(t, allocs)
}

func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{
		"", "José Ñúñez", "Müller GmbH & Co. KG", "王伟", "山田　太郎", "ǅemal", "GROẞ", "İ", "ΟΔΥΣΣΕΥΣ",
		"O'Brien", "ＡＢＣ", "a\u0301", "\xff\xfe", "華為技術有限公司", "PT x Tbk", "ооо co",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeName(s)
		require.True(t, utf8.ValidString(n))
		require.Equal(t, n, NormalizeName(n), "NormalizeName is idempotent")
		require.Equal(t, strings.TrimSpace(n), n)
		require.NotContains(t, n, "  ")
		o := NormalizeOrgName(s)
		require.Equal(t, o, NormalizeOrgName(o), "NormalizeOrgName is idempotent")
		require.Equal(t, o, NormalizeOrgName(n), "NormalizeOrgName works on normalised names")
	})
}

func FuzzNameSimilarity(f *testing.F) {
	f.Add("MARTHA", "MARHTA")
	f.Add("Wang Wei", "Wei Wang")
	f.Add("王伟", "王玮")
	f.Add("", "x")
	f.Add("a b c d e f g h i j k l m n o p q", "q p o n m l k j i h g f e d c b a")
	f.Fuzz(func(t *testing.T, a, b string) {
		s := NameSimilarity(a, b)
		require.GreaterOrEqual(t, s, 0.0)
		require.LessOrEqual(t, s, 1.0)
		require.Equal(t, s, NameSimilarity(b, a), "symmetric")
		if NormalizeName(a) != "" && len(a) < 200 {
			require.Equal(t, 1.0, NameSimilarity(a, a))
			require.Equal(t, 1.0, NameSimilarity(a, NormalizeName(a)))
		}
	})
}
