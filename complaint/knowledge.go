package complaint

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crmkit/crm"
)

// Limits and weights of the knowledge base.
const (
	// MaxSuggestions bounds k in [Index.Suggest].
	MaxSuggestions = 100
	// MaxReasonTerms is how many matching terms a suggestion's reasons name.
	MaxReasonTerms = 5
	// CategoryBoost is the score added for a fully shared category path;
	// a partly shared path adds its share of it.
	CategoryBoost = 2.0

	kbK1 = 1.2  // BM25 term-frequency saturation
	kbB  = 0.75 // BM25 length normalisation
)

// Solution is a reusable answer from the service knowledge base (服务知识库),
// made from a resolved complaint.
type Solution struct {
	// ComplaintID is the complaint it came from; unique in an index.
	ComplaintID crm.ID
	// Category is the complaint's category code.
	Category string
	// CategoryPath is the codes from the root down to Category; optional
	// (empty means just Category).
	CategoryPath []string
	// Text is what is searched: the description, the root cause and the
	// remedy in words.
	Text string
	// Remedy is the kind of remedy that settled it.
	Remedy Remedy
}

// SolutionOf returns the solution of c, which must be resolved or closed
// with a resolution; anything else is an error wrapping crm.ErrInvalid.
func SolutionOf(c *Complaint) (Solution, error) {
	if c == nil || c.resolution == nil || (c.status != Resolved && c.status != Closed) {
		return Solution{}, crm.Invalid("complaint.SolutionOf", "status", "complaint is not resolved")
	}
	r := c.resolution
	parts := []string{c.desc, r.RootCause.Text, r.Summary, r.Corrective, r.Preventive}
	parts = slices.DeleteFunc(parts, func(s string) bool { return strings.TrimSpace(s) == "" })
	return Solution{
		ComplaintID: c.id, Category: c.category, Text: strings.Join(parts, "\n"), Remedy: r.Remedy,
	}, nil
}

func (s *Solution) path() []string {
	if len(s.CategoryPath) > 0 {
		return s.CategoryPath
	}
	if s.Category == "" {
		return nil
	}
	return []string{s.Category}
}

// SolutionQuery is a new complaint looking for past solutions.
type SolutionQuery struct {
	Category     string
	CategoryPath []string // optional; empty means just Category
	Text         string
}

// Reasons explains a suggestion.
type Reasons struct {
	// CategoryDepth is how many leading category-path codes the query and
	// the solution share (0: none).
	CategoryDepth int
	// Terms are the query terms that matched, strongest first, at most
	// MaxReasonTerms. CJK text matches as character pairs.
	Terms []string
}

// Suggestion is one ranked solution.
type Suggestion struct {
	Solution Solution
	// Score is the BM25 text score plus the category boost.
	Score   float64
	Reasons Reasons
}

type kbPosting struct {
	doc int32
	tf  uint32
}

// Index is a searchable knowledge base: BM25 over normalised text (words,
// and character pairs for Chinese, Japanese and Korean) with a category
// boost. It is immutable after [NewIndex] and safe for concurrent use.
type Index struct {
	sols     []Solution // sorted by ComplaintID
	postings map[string][]kbPosting
	docLen   []float64
	avgLen   float64
}

// NewIndex validates sols and builds the index. Each solution needs a
// ComplaintID (unique), a valid Category code and non-empty UTF-8 Text.
func NewIndex(sols []Solution) (*Index, error) {
	var v crm.Validator
	seen := make(map[crm.ID]bool, len(sols))
	for i, s := range sols {
		p := fmt.Sprintf("solutions[%d]", i)
		v.Check(!s.ComplaintID.IsZero(), p+".complaint_id", "required")
		if seen[s.ComplaintID] {
			v.Addf(p+".complaint_id", "duplicate %s", s.ComplaintID)
		}
		seen[s.ComplaintID] = true
		checkCode(&v, p+".category", s.Category)
		for j, c := range s.CategoryPath {
			checkCode(&v, fmt.Sprintf("%s.category_path[%d]", p, j), c)
		}
		checkText(&v, p+".text", s.Text, true)
	}
	if err := v.Err("complaint.NewIndex"); err != nil {
		return nil, err
	}
	ix := &Index{sols: make([]Solution, len(sols)), postings: make(map[string][]kbPosting), docLen: make([]float64, len(sols))}
	for i, s := range sols {
		s.CategoryPath = slices.Clone(s.CategoryPath)
		ix.sols[i] = s
	}
	slices.SortFunc(ix.sols, func(a, b Solution) int { return a.ComplaintID.Compare(b.ComplaintID) })
	var total float64
	tf := make(map[string]uint32)
	for d := range ix.sols {
		clear(tf)
		n := 0
		kbTokens(ix.sols[d].Text, func(t string) {
			tf[t]++
			n++
		})
		for t, c := range tf {
			ix.postings[t] = append(ix.postings[t], kbPosting{doc: int32(d), tf: c})
		}
		ix.docLen[d] = float64(n)
		total += float64(n)
	}
	if len(ix.sols) > 0 {
		ix.avgLen = total / float64(len(ix.sols))
	}
	if ix.avgLen == 0 {
		ix.avgLen = 1
	}
	return ix, nil
}

// Len returns the number of solutions in the index.
func (ix *Index) Len() int {
	if ix == nil {
		return 0
	}
	return len(ix.sols)
}

func (ix *Index) idf(df int) float64 {
	n := float64(len(ix.sols))
	return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
}

func (ix *Index) termScore(p kbPosting, idf float64) float64 {
	tf := float64(p.tf)
	return idf * tf * (kbK1 + 1) / (tf + kbK1*(1-kbB+kbB*ix.docLen[p.doc]/ix.avgLen))
}

func sharedDepth(a, b []string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// Suggest returns up to k solutions most like q, best first: the BM25
// score of q.Text against each solution's text, plus CategoryBoost times the
// share of q's category path the solution shares. Solutions with neither a
// shared term nor a shared category are left out. Equal scores are ordered
// by ComplaintID. k must be 1 to MaxSuggestions and q's category, when
// given, a valid code; otherwise the error wraps crm.ErrInvalid.
func (ix *Index) Suggest(q SolutionQuery, k int) ([]Suggestion, error) {
	var v crm.Validator
	v.Check(k >= 1 && k <= MaxSuggestions, "k", "must be 1 to 100")
	if q.Category != "" {
		checkCode(&v, "category", q.Category)
	}
	for j, c := range q.CategoryPath {
		checkCode(&v, fmt.Sprintf("category_path[%d]", j), c)
	}
	checkText(&v, "text", q.Text, false)
	if err := v.Err("complaint.Index.Suggest"); err != nil {
		return nil, err
	}
	if ix.Len() == 0 {
		return nil, nil
	}
	qs := Solution{Category: q.Category, CategoryPath: q.CategoryPath}
	qpath := qs.path()
	terms := kbQueryTerms(q.Text)
	scores := make([]float64, len(ix.sols))
	for _, t := range terms {
		ps := ix.postings[t]
		if len(ps) == 0 {
			continue
		}
		idf := ix.idf(len(ps))
		for _, p := range ps {
			scores[p.doc] += ix.termScore(p, idf)
		}
	}
	if len(qpath) > 0 {
		for d := range ix.sols {
			if dep := sharedDepth(qpath, ix.sols[d].path()); dep > 0 {
				scores[d] += CategoryBoost * float64(dep) / float64(len(qpath))
			}
		}
	}
	// better reports whether doc a ranks before doc b.
	better := func(a, b int32) bool {
		if scores[a] != scores[b] {
			return scores[a] > scores[b]
		}
		return a < b // docs are in ComplaintID order
	}
	// top is a min-heap of the best k docs: top[0] is the worst kept.
	top := make([]int32, 0, k)
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(top) {
				return
			}
			w := l
			if r := l + 1; r < len(top) && better(top[w], top[r]) {
				w = r
			}
			if !better(top[i], top[w]) {
				return
			}
			top[i], top[w] = top[w], top[i]
			i = w
		}
	}
	for d := range scores {
		if scores[d] <= 0 {
			continue
		}
		doc := int32(d)
		if len(top) < k {
			top = append(top, doc)
			for i := len(top) - 1; i > 0; {
				p := (i - 1) / 2
				if !better(top[p], top[i]) {
					break
				}
				top[p], top[i] = top[i], top[p]
				i = p
			}
			continue
		}
		if better(doc, top[0]) {
			top[0] = doc
			down(0)
		}
	}
	slices.SortFunc(top, func(a, b int32) int {
		if better(a, b) {
			return -1
		}
		if better(b, a) {
			return 1
		}
		return 0
	})
	out := make([]Suggestion, 0, len(top))
	for _, d := range top {
		s := ix.sols[d]
		s.CategoryPath = slices.Clone(s.CategoryPath)
		out = append(out, Suggestion{Solution: s, Score: scores[d], Reasons: ix.reasons(d, qpath, terms)})
	}
	return out, nil
}

func (ix *Index) reasons(d int32, qpath, terms []string) Reasons {
	type contrib struct {
		term  string
		score float64
	}
	var cs []contrib
	for _, t := range terms {
		ps := ix.postings[t]
		i, ok := slices.BinarySearchFunc(ps, d, func(p kbPosting, d int32) int { return int(p.doc) - int(d) })
		if !ok {
			continue
		}
		cs = append(cs, contrib{t, ix.termScore(ps[i], ix.idf(len(ps)))})
	}
	slices.SortFunc(cs, func(a, b contrib) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.term, b.term)
	})
	r := Reasons{CategoryDepth: sharedDepth(qpath, ix.sols[d].path())}
	for i := 0; i < len(cs) && i < MaxReasonTerms; i++ {
		r.Terms = append(r.Terms, cs[i].term)
	}
	return r
}

// kbQueryTerms returns the distinct terms of s in first-seen order.
func kbQueryTerms(s string) []string {
	var out []string
	kbTokens(s, func(t string) {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	})
	return out
}

// kbCJK reports whether r is written without spaces between words.
func kbCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// kbTokens calls emit for each term of s: lower-cased words of letters and
// digits (stop words dropped, a plain English plural or -ing/-ed ending
// cut) and, in runs of CJK characters, each pair of neighbouring
// characters (a lone character stands alone).
func kbTokens(s string, emit func(string)) {
	i := 0
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case kbCJK(r):
			j := i
			prev := -1
			count := 0
			for j < len(s) {
				r2, w2 := utf8.DecodeRuneInString(s[j:])
				if !kbCJK(r2) {
					break
				}
				if prev >= 0 {
					emit(s[prev : j+w2])
				}
				prev = j
				j += w2
				count++
			}
			if count == 1 {
				emit(s[i:j])
			}
			i = j
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			j := i
			lower := true
			for j < len(s) {
				r2, w2 := utf8.DecodeRuneInString(s[j:])
				if kbCJK(r2) || !(unicode.IsLetter(r2) || unicode.IsDigit(r2)) {
					break
				}
				if unicode.ToLower(r2) != r2 {
					lower = false
				}
				j += w2
			}
			word := s[i:j]
			if !lower {
				word = strings.ToLower(word)
			}
			if word = kbStem(word); word != "" {
				emit(word)
			}
			i = j
		default:
			i += w
		}
	}
}

func kbStem(w string) string {
	switch w {
	case "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it",
		"its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "when", "with":
		return ""
	}
	switch {
	case len(w) > 5 && strings.HasSuffix(w, "ing"):
		return w[:len(w)-3]
	case len(w) > 4 && strings.HasSuffix(w, "ed"):
		return w[:len(w)-2]
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		return w[:len(w)-1]
	}
	return w
}
