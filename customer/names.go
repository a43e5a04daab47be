package customer

import (
	"slices"
	"strings"
	"unicode"
)

// NormalizeName returns the form of a person's or organisation's name used
// to find duplicates:
//
//   - full-width Latin letters and digits become ASCII ("ＡＢＣ" is "abc");
//   - letters are lower-cased (Unicode simple case mapping);
//   - Latin diacritics are folded by a built-in table: é to e, ü to u, ø
//     to o, å to a, ç to c, ñ to n, ł to l, ǎ to a (pinyin tones), ệ to e
//     (Vietnamese), ß to ss, æ to ae, œ to oe, þ to th, and so on through
//     Latin-1, Latin Extended-A and B and Latin Extended Additional;
//     combining diacritical marks (U+0300 to U+036F) are dropped, so
//     decomposed input folds the same way; Greek final sigma becomes σ and
//     Cyrillic ё becomes е;
//   - apostrophes and full stops vanish ("O'Brien" is "obrien", "S.A." is
//     "sa"); other punctuation and symbols separate words ("Smith-Jones"
//     is "smith jones"); control and invisible format characters vanish;
//   - runs of white space become one space, none at either end.
//
// Scripts written without spaces (Chinese, Japanese) are kept rune by rune:
// "王伟" stays "王伟". The result is stable: NormalizeName(NormalizeName(s))
// equals NormalizeName(s). Legal forms of companies are kept; see
// [NormalizeOrgName].
func NormalizeName(s string) string {
	var buf [64]rune
	return string(appendNormalizedName(buf[:0], s, -1))
}

// appendNormalizedName appends the NormalizeName form of s to dst, stopping
// after limit runes when limit >= 0.
func appendNormalizedName(dst []rune, s string, limit int) []rune {
	start := len(dst)
	space := false
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII forms
			r -= 0xFEE0
		}
		r = unicode.ToLower(r)
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case r >= 0x300 && r <= 0x36F, nameVanishes(r), unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			continue
		case unicode.IsPunct(r), unicode.IsSymbol(r):
			space = true
			continue
		}
		if limit >= 0 && len(dst)-start >= limit {
			break
		}
		if space && len(dst) > start {
			dst = append(dst, ' ')
		}
		space = false
		a, b := foldLatin(r)
		dst = append(dst, a)
		if b != 0 {
			dst = append(dst, b)
		}
	}
	if limit >= 0 && len(dst)-start > limit {
		dst = dst[:start+limit]
	}
	if n := len(dst); n > start && dst[n-1] == ' ' {
		dst = dst[:n-1]
	}
	return dst
}

// nameVanishes reports the punctuation dropped without separating words:
// apostrophes, accents written as spacing characters, and full stops.
func nameVanishes(r rune) bool {
	switch r {
	case '\'', '`', '.', '\u00B4', '\u2018', '\u2019', '\u02BB', '\u02BC', '\u02B9':
		return true
	}
	return false
}

// Latin fold tables: one byte per code point, giving the ASCII base letter;
// '.' leaves the rune as it is and '*' sends it to foldLatinSpecial. They
// were written by hand from the Unicode code charts (Latin-1 Supplement,
// Latin Extended-A, Latin Extended-B, Latin Extended Additional) and are
// constants: nothing can change them.
const (
	// U+00C0 to U+00FF.
	foldLatin1 = "aaaaaa*ceeeeiiii" + "dnooooo.ouuuuy**" +
		"aaaaaa*ceeeeiiii" + "dnooooo.ouuuuy*y"
	// U+0100 to U+017F.
	foldLatinExtA = "aaaaaaccccccccdd" + "ddeeeeeeeeeegggg" +
		"gggghhhhiiiiiiii" + "ii**jjkkklllllll" +
		"lllnnnnnnnnnoooo" + "oo**rrrrrrssssss" +
		"ssttttttuuuuuuuu" + "uuuuwwyyyzzzzzzs"
	// U+0180 to U+024F.
	foldLatinExtB = "bbbb..occdddd.e." + "effg..iikkl..nno" +
		"oo..pp.....ttttu" + "u.vyyzz........." +
		"....*********aai" + "ioouuuuuuuuuueaa" +
		"aa**ggggkkoooo.." + "j***gg..nnaa**oo" +
		"aaaaeeeeiiiioooo" + "rrrruuuusstt..hh" +
		"nd..zzaaeeoooooo" + "ooyylntj..acclts" +
		"z..bu.eejjqqrryy"
	// U+1E00 to U+1EFF.
	foldLatinExtAdd = "aabbbbbbccdddddd" + "ddddeeeeeeeeeeff" +
		"gghhhhhhhhhhiiii" + "kkkkkkllllllllmm" +
		"mmmmnnnnnnnnoooo" + "oooopppprrrrrrrr" +
		"sssssssssstttttt" + "ttuuuuuuuuuuvvvv" +
		"wwwwwwwwwwxxxxyy" + "zzzzzzhtwyasss*." +
		"aaaaaaaaaaaaaaaa" + "aaaaaaaaeeeeeeee" +
		"eeeeeeeeiiiioooo" + "oooooooooooooooo" +
		"oooouuuuuuuuuuuu" + "uuyyyyyyyy......"
)

// foldLatin returns the folded form of a lower-cased rune: one rune, or two
// when b is not 0.
func foldLatin(r rune) (a, b rune) {
	var c byte
	switch {
	case r < 0xC0:
		return r, 0
	case r <= 0xFF:
		c = foldLatin1[r-0xC0]
	case r <= 0x17F:
		c = foldLatinExtA[r-0x100]
	case r <= 0x24F:
		c = foldLatinExtB[r-0x180]
	case r >= 0x1E00 && r <= 0x1EFF:
		c = foldLatinExtAdd[r-0x1E00]
	default:
		return foldOther(r), 0
	}
	switch c {
	case '.':
		return r, 0
	case '*':
		return foldLatinSpecial(r)
	}
	return rune(c), 0
}

// foldOther folds the few letters outside the tables: lower-case forms
// whose capitals are in Latin Extended-B (IPA Extensions and Latin
// Extended-C), Greek final sigma and Cyrillic ё.
func foldOther(r rune) rune {
	switch r {
	case 'ɓ':
		return 'b'
	case 'ɔ', 'ɵ':
		return 'o'
	case 'ɖ', 'ɗ':
		return 'd'
	case 'ɛ':
		return 'e'
	case 'ɠ':
		return 'g'
	case 'ɨ', 'ɩ':
		return 'i'
	case 'ɲ':
		return 'n'
	case 'ʈ', 'ⱦ':
		return 't'
	case 'ʉ':
		return 'u'
	case 'ʋ':
		return 'v'
	case 'ⱥ':
		return 'a'
	case 'ς':
		return 'σ'
	case 'ё':
		return 'е'
	}
	return r
}

// foldLatinSpecial folds the letters that become two ASCII letters.
func foldLatinSpecial(r rune) (a, b rune) {
	switch r {
	case 'Æ', 'æ', 'Ǣ', 'ǣ', 'Ǽ', 'ǽ':
		return 'a', 'e'
	case 'ß', 'ẞ':
		return 's', 's'
	case 'Þ', 'þ':
		return 't', 'h'
	case 'Œ', 'œ':
		return 'o', 'e'
	case 'Ĳ', 'ĳ':
		return 'i', 'j'
	case 'Ǆ', 'ǅ', 'ǆ', 'Ǳ', 'ǲ', 'ǳ':
		return 'd', 'z'
	case 'Ǉ', 'ǈ', 'ǉ':
		return 'l', 'j'
	case 'Ǌ', 'ǋ', 'ǌ':
		return 'n', 'j'
	}
	return r, 0
}

// orgFormSuffix drops one legal form from the end of a normalised
// organisation name and reports whether it did. Forms are written as
// NormalizeName writes them; several words are matched as a whole ("sa de
// cv").
func orgFormSuffix(name string) (string, bool) {
	// Longest and multi-word forms first, so "sp z oo" goes before "oo".
	for _, f := range [...]string{
		// Spanish, Portuguese, Latin America.
		"s de rl de cv", "sapi de cv", "sab de cv", "sa de cv", "s de rl", "sociedad anonima", "ltda", "eirl", "sac", "saa",
		// Central and Eastern Europe.
		"sp z oo", "spółka z oo", "sro", "spol s ro", "doo", "dd", "ad", "eood", "ood", "kft", "zrt", "nyrt", "bt",
		// Asia-Pacific.
		"sdn bhd", "bhd", "pty", "pte", "pvt", "tbk", "kk",
		// Nordic, Benelux.
		"a s", "aps", "asa", "as", "ab", "oyj", "oy", "bv", "nv", "vof",
		// German-speaking.
		"gmbh", "mbh", "kgaa", "kg", "ohg", "ag", "ug", "ev", "eg",
		// French, Italian, Spanish.
		"sarl", "sasu", "sas", "eurl", "sca", "snc", "srl", "spa", "sa", "sl", "slu", "se",
		// English.
		"limited", "ltd", "incorporated", "inc", "corporation", "corp", "company", "co",
		"pllc", "llc", "llp", "lp", "plc",
	} {
		if len(name) > len(f)+1 && strings.HasSuffix(name, f) && name[len(name)-len(f)-1] == ' ' {
			return name[:len(name)-len(f)-1], true
		}
	}
	// Chinese, Japanese and Korean forms, written without a space.
	for _, f := range [...]string{
		"股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "公司",
		"株式会社", "有限会社", "合同会社", "合資会社", "合名会社",
		"주식회사", "유한책임회사", "유한회사",
	} {
		if name == f {
			return name, false // the form is the whole name
		}
		if strings.HasSuffix(name, f) {
			return strings.TrimSuffix(name[:len(name)-len(f)], " "), true
		}
	}
	return name, false
}

// orgFormPrefix drops a legal form written before the name.
func orgFormPrefix(name string) (string, bool) {
	for _, f := range [...]string{"株式会社", "有限会社", "合同会社", "주식회사"} {
		if len(name) > len(f) && strings.HasPrefix(name, f) {
			return strings.TrimPrefix(name[len(f):], " "), true
		}
	}
	for _, f := range [...]string{"pt", "cv", "ооо", "оао", "зао", "пао"} {
		if len(name) > len(f)+1 && strings.HasPrefix(name, f) && name[len(f)] == ' ' {
			return name[len(f)+1:], true
		}
	}
	return name, false
}

// NormalizeOrgName is [NormalizeName] for organisations: it also drops the
// legal forms of companies from the end of the name, repeatedly ("Acme
// Holdings Co., Ltd." is "acme holdings", "Müller GmbH & Co. KG" is
// "muller"), and a few forms written before it ("PT", "ООО", "株式会社"),
// until none is left; so NormalizeOrgName(NormalizeOrgName(s)) equals
// NormalizeOrgName(s).
// Chinese, Japanese and Korean forms are dropped without a space
// ("华为技术有限公司" is "华为技术"; 股份有限公司, 有限责任公司, 有限公司, 公司,
// 株式会社, 有限会社, 合同会社, 주식회사, …). It never drops the last word:
// "Limited" stays "limited". The lists cover common forms of the larger
// economies and are not complete.
func NormalizeOrgName(s string) string {
	name := NormalizeName(s)
	for {
		n, cut := orgFormSuffix(name)
		if p, ok := orgFormPrefix(n); ok {
			n, cut = p, true
		}
		if !cut {
			return name
		}
		name = n
	}
}

// maxSimilarityRunes bounds the runes of each normalised name that
// NameSimilarity compares, which keeps its cost bounded on hostile input.
const maxSimilarityRunes = 256

// NameSimilarity scores how alike two names are, from 0 (nothing in common,
// or either name empty after normalising) to 1 (the same name). It is
// symmetric, works rune by rune (so Chinese and Japanese names compare by
// character) and, for names of ordinary length, allocates nothing.
//
// The algorithm:
//  1. Both names are normalised with [NormalizeName] (only their first
//     256 runes are kept). For organisations, pass [NormalizeOrgName]
//     results: normalising them again changes nothing.
//  2. The score is the Jaro-Winkler similarity of the two normalised names
//     (Winkler 1990): with m characters matching within a window of
//     max(|a|,|b|)/2-1 positions and t half the number of matched
//     characters out of order, Jaro = (m/|a| + m/|b| + (m-t)/m) / 3, and
//     Jaro-Winkler = Jaro + l·0.1·(1-Jaro), l being the length of the
//     common prefix, at most 4.
//  3. When either name has several words, the words of each are also sorted
//     and the Jaro-Winkler similarity of the sorted forms is computed; the
//     higher of the two scores wins, so "Wang Wei" and "Wei Wang" score 1.
//
// Reference values: MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.84, DIXON/DICKSONX
// 0.813 (W. E. Winkler, "String Comparator Metrics and Enhanced Decision
// Rules in the Fellegi-Sunter Model of Record Linkage", Proceedings of the
// Section on Survey Research Methods, American Statistical Association,
// 1990, pp. 354-359; the same examples appear in the Wikipedia article
// "Jaro-Winkler distance").
func NameSimilarity(a, b string) float64 {
	var bufA, bufB [64]rune
	ra := appendNormalizedName(bufA[:0], a, maxSimilarityRunes)
	rb := appendNormalizedName(bufB[:0], b, maxSimilarityRunes)
	if len(ra) == 0 || len(rb) == 0 {
		return 0
	}
	if slices.Equal(ra, rb) {
		return 1
	}
	score := jaroWinkler(ra, rb)
	if slices.Contains(ra, ' ') || slices.Contains(rb, ' ') {
		var sortA, sortB [64]rune
		sa := appendSortedWords(sortA[:0], ra)
		sb := appendSortedWords(sortB[:0], rb)
		if slices.Equal(sa, sb) {
			return 1
		}
		score = max(score, jaroWinkler(sa, sb))
	}
	return score
}

// appendSortedWords appends the words of a normalised name to dst in
// sorted order, separated by single spaces.
func appendSortedWords(dst, name []rune) []rune {
	var spanBuf [16][2]int
	spans := spanBuf[:0]
	start := 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == ' ' {
			if i > start {
				spans = append(spans, [2]int{start, i})
			}
			start = i + 1
		}
	}
	slices.SortFunc(spans, func(x, y [2]int) int {
		return slices.Compare(name[x[0]:x[1]], name[y[0]:y[1]])
	})
	for i, sp := range spans {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, name[sp[0]:sp[1]]...)
	}
	return dst
}

// jaroWinkler returns the Jaro-Winkler similarity of two rune strings with
// the standard prefix scale 0.1 and prefix cap 4. The pair is put in a
// fixed order first (shorter first, then by rune order), so the result does
// not depend on the order of the arguments.
func jaroWinkler(a, b []rune) float64 {
	if len(a) > len(b) || len(a) == len(b) && slices.Compare(a, b) > 0 {
		a, b = b, a
	}
	j := jaro(a, b)
	prefix := 0
	for prefix < 4 && prefix < len(a) && a[prefix] == b[prefix] {
		prefix++
	}
	return min(1, j+float64(prefix)*0.1*(1-j))
}

// jaro returns the Jaro similarity of a and b.
func jaro(a, b []rune) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	window := max(len(a), len(b))/2 - 1
	if window < 0 {
		window = 0
	}
	var flagBufA, flagBufB [maxSimilarityRunes]bool
	var matchedA, matchedB []bool
	if len(a) <= len(flagBufA) && len(b) <= len(flagBufB) {
		matchedA, matchedB = flagBufA[:len(a)], flagBufB[:len(b)]
	} else {
		matchedA, matchedB = make([]bool, len(a)), make([]bool, len(b))
	}
	m := 0
	for i, r := range a {
		lo, hi := max(0, i-window), min(len(b)-1, i+window)
		for k := lo; k <= hi; k++ {
			if !matchedB[k] && b[k] == r {
				matchedA[i], matchedB[k] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	outOfOrder, k := 0, 0
	for i, r := range a {
		if !matchedA[i] {
			continue
		}
		for !matchedB[k] {
			k++
		}
		if b[k] != r {
			outOfOrder++
		}
		k++
	}
	fm := float64(m)
	return (fm/float64(len(a)) + fm/float64(len(b)) + (fm-float64(outOfOrder)/2)/fm) / 3
}
