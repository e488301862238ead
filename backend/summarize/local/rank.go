package local

import (
	"context"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
)

// doc is a transcript analysed for extraction: each unit's unit-length
// TF-IDF vector over stemmed content terms, its centrality, and the surface
// words of each term (for chapter titles).
type doc struct {
	sents   []Sentence
	vecs    [][]term
	central []float64 // degree centrality, normalised to [0, 1]
	nterms  []int     // content terms per unit
	idf     []float64
	burst   []float64        // per term: 1 when its uses cluster in one stretch, 0 when spread evenly
	surface []map[string]int // per term id: surface word → count
}

type term struct {
	id int32
	w  float64
}

func analyzeDoc(ctx context.Context, a analysis.Analyzer, sents []Sentence) *doc {
	d := &doc{sents: sents, vecs: make([][]term, len(sents)), nterms: make([]int, len(sents))}
	vocab := make(map[string]int32, 4096)
	var df []int32
	counts := make(map[int32]int, 64)
	for i, s := range sents {
		if i%256 == 0 && ctx.Err() != nil {
			break
		}
		clear(counts)
		for _, t := range analyze(a, s.Text) {
			id, ok := vocab[t.term]
			if !ok {
				id = int32(len(vocab))
				vocab[t.term] = id
				df = append(df, 0)
				d.surface = append(d.surface, map[string]int{})
			}
			if counts[id] == 0 {
				df[id]++
			}
			counts[id]++
			d.surface[id][strings.ToLower(t.surface)]++
			d.nterms[i]++
		}
		v := make([]term, 0, len(counts))
		for id, c := range counts {
			v = append(v, term{id: id, w: 1 + math.Log(float64(c))})
		}
		slices.SortFunc(v, func(a, b term) int { return int(a.id - b.id) })
		d.vecs[i] = v
	}
	d.burstiness(len(df))
	n := float64(len(sents))
	d.idf = make([]float64, len(df))
	for id, f := range df {
		d.idf[id] = math.Log(1 + n/float64(f))
	}
	sum := make([]float64, len(df))
	for _, v := range d.vecs {
		norm := 0.0
		for k := range v {
			v[k].w *= d.idf[v[k].id]
			norm += v[k].w * v[k].w
		}
		if norm == 0 {
			continue
		}
		norm = math.Sqrt(norm)
		for k := range v {
			v[k].w /= norm
			sum[v[k].id] += v[k].w
		}
	}
	d.central = make([]float64, len(sents))
	top := 0.0
	for i, v := range d.vecs {
		c := 0.0
		for _, t := range v {
			c += t.w * sum[t.id]
		}
		if len(v) > 0 {
			c-- // its similarity to itself
		}
		c *= d.weight(i)
		d.central[i] = c
		top = max(top, c)
	}
	if top > 0 {
		for i := range d.central {
			d.central[i] /= top
		}
	}
	return d
}

// burstiness sets d.burst: how concentrated each term's uses are in the
// transcript, from the spread (standard deviation) of the positions of the
// units that use it against that of a term used evenly throughout. Topic
// words come in bursts; spoken filler ("let me show you") and names dropped
// in passing are spread out.
func (d *doc) burstiness(terms int) {
	sum := make([]float64, terms)
	sq := make([]float64, terms)
	cnt := make([]float64, terms)
	n := float64(len(d.vecs))
	for i, v := range d.vecs {
		x := float64(i) / max(n-1, 1)
		for _, t := range v {
			sum[t.id] += x
			sq[t.id] += x * x
			cnt[t.id]++
		}
	}
	d.burst = make([]float64, terms)
	const even = 0.2887 // standard deviation of a uniform position on [0, 1]
	for id := range d.burst {
		if cnt[id] < 2 {
			d.burst[id] = 0.5
			continue
		}
		m := sum[id] / cnt[id]
		sd := math.Sqrt(max(sq[id]/cnt[id]-m*m, 0))
		d.burst[id] = min(max(1-sd/even, 0), 1)
	}
}

// weight discounts units that say little: fewer than five content terms.
func (d *doc) weight(i int) float64 {
	return min(1, float64(d.nterms[i])/5)
}

func cosine(a, b []term) float64 {
	dot := 0.0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i].id == b[j].id:
			dot += a[i].w * b[j].w
			i++
			j++
		case a[i].id < b[j].id:
			i++
		default:
			j++
		}
	}
	return dot
}

// dense is a sum of unit vectors over a window of units.
type dense map[int32]float64

// gapSimilarity returns, for each gap g (before unit g), the cosine of the
// burstiness-weighted term sums of the w units before and the w units after
// it, with sliding sums (linear in the transcript).
func (d *doc) gapSimilarity(w int) []float64 {
	n := len(d.vecs)
	sim := make([]float64, n)
	left := make([]float64, len(d.idf))
	right := make([]float64, len(d.idf))
	stamp := make([]int, len(d.idf))
	add := func(sums []float64, i int, sign float64) {
		if i < 0 || i >= n {
			return
		}
		for _, t := range d.vecs[i] {
			sums[t.id] += sign * t.w * d.burst[t.id]
		}
	}
	for i := 0; i < w; i++ {
		add(right, i, 1)
	}
	for g := 1; g < n; g++ {
		// left covers units [g-w, g), right [g, g+w).
		add(left, g-1, 1)
		add(left, g-1-w, -1)
		add(right, g-1, -1)
		add(right, g-1+w, 1)
		dot, nl, nr := 0.0, 0.0, 0.0
		for i := max(g-w, 0); i < min(g+w, n); i++ {
			for _, t := range d.vecs[i] {
				if stamp[t.id] == g {
					continue
				}
				stamp[t.id] = g
				l, r := left[t.id], right[t.id]
				dot += l * r
				nl += l * l
				nr += r * r
			}
		}
		if nl > 1e-12 && nr > 1e-12 {
			sim[g] = dot / math.Sqrt(nl*nr)
		}
	}
	return sim
}

func denseCos(a, b dense) float64 {
	dot, na, nb := 0.0, 0.0, 0.0
	for id, w := range a {
		na += w * w
		dot += w * b[id]
	}
	for _, w := range b {
		nb += w * w
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// segment finds topic boundaries from vocabulary shifts (TextTiling): the
// similarity of the units before and after each gap, smoothed; a gap whose
// depth (how far it dips below the peaks on either side) stands out is a
// boundary, keeping topics at least a few units and 45 s long, at most
// maxTopics of them. It returns the index of each topic's first unit,
// starting with 0.
func (d *doc) segment(maxTopics int) []int {
	n := len(d.sents)
	w := min(max(n/25, 3), 8)
	if n < 2*w+2 || maxTopics < 2 {
		return []int{0}
	}
	sim := d.gapSimilarity(w)
	sm := slices.Clone(sim)
	for g := 2; g < n-1; g++ {
		sm[g] = (sim[g-1] + sim[g] + sim[g+1]) / 3
	}
	type cand struct {
		g     int
		depth float64
	}
	var cands []cand
	var depths []float64
	for g := w; g <= n-w; g++ {
		if sm[g] > sm[g-1] || sm[g] > sm[g+1] {
			continue // not a local minimum
		}
		l := sm[g]
		for k := g - 1; k >= 1 && sm[k] >= l; k-- {
			l = sm[k]
		}
		r := sm[g]
		for k := g + 1; k < n && sm[k] >= r; k++ {
			r = sm[k]
		}
		dp := (l - sm[g]) + (r - sm[g])
		cands = append(cands, cand{g, dp})
		depths = append(depths, dp)
	}
	if len(cands) == 0 {
		return []int{0}
	}
	mean, sd := meanSD(depths)
	cut := max(mean+sd/2, 0.1)
	_ = sd
	sort.Slice(cands, func(i, j int) bool { return cands[i].depth > cands[j].depth })
	starts := []int{0}
	minUnits := max(w, 3)
	for _, c := range cands {
		if len(starts) >= maxTopics || c.depth < cut {
			break
		}
		g := d.snap(c.g, w/2)
		ok := n-g >= minUnits && d.sents[n-1].End-d.sents[g].Start >= 45
		for _, s := range starts {
			if abs(g-s) < minUnits || math.Abs(d.sents[g].Start-d.sents[s].Start) < 45 {
				ok = false
			}
		}
		if ok {
			starts = append(starts, g)
		}
	}
	sort.Ints(starts)
	return starts
}

// snap moves a boundary by up to r units to the unit after the longest
// pause nearby, where a speaker is likely to change subject.
func (d *doc) snap(g, r int) int {
	best, bestGap := g, -1.0
	for k := max(g-r, 1); k <= min(g+r, len(d.sents)-1); k++ {
		gap := d.sents[k].Start - d.sents[k-1].End
		if gap > bestGap+0.05 || gap >= bestGap-0.05 && abs(k-g) < abs(best-g) {
			best, bestGap = k, max(gap, bestGap)
		}
	}
	return best
}

func meanSD(xs []float64) (float64, float64) {
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	v := 0.0
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	return m, math.Sqrt(v / float64(len(xs)))
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// topic is one stretch of the transcript between two vocabulary shifts.
type topic struct {
	lo, hi int   // units [lo, hi)
	order  []int // its units in order of preference (MMR)
}

// topics returns the topics starting at starts, each with its units ranked
// by maximal marginal relevance: relevance is the unit's similarity to its
// topic's centroid blended with its centrality in the whole transcript, and
// each next pick is penalised by its similarity to those already ranked, so
// near-repeats sink to the bottom.
func (d *doc) topics(starts []int) []topic {
	out := make([]topic, len(starts))
	for k, lo := range starts {
		hi := len(d.sents)
		if k+1 < len(starts) {
			hi = starts[k+1]
		}
		out[k] = topic{lo: lo, hi: hi}
	}
	// Terms spread over every topic (spoken filler: "let me show you") say
	// less about a topic than terms concentrated in it: weigh each term by
	// its inverse topic frequency as well.
	seen := make([]int, len(d.idf))
	tf := make([]float64, len(d.idf))
	for k, t := range out {
		for i := t.lo; i < t.hi; i++ {
			for _, x := range d.vecs[i] {
				if seen[x.id] != k+1 {
					seen[x.id] = k + 1
					tf[x.id]++
				}
			}
		}
	}
	itf := make([]float64, len(d.idf))
	for id, f := range tf {
		itf[id] = math.Log(1 + float64(len(out))/max(f, 1))
	}
	// With one topic, burstiness says nothing about it: use IDF alone.
	burst := d.burst
	if len(out) == 1 {
		burst = slices.Repeat([]float64{1}, len(d.idf))
	}
	weigh := func(v []term) dense {
		m := make(dense, len(v))
		for _, x := range v {
			m[x.id] = d.idf[x.id] * itf[x.id] * burst[x.id]
		}
		return m
	}
	for k, t := range out {
		cent := d.centroid(t, weigh)
		rel := make([]float64, t.hi-t.lo)
		top := 0.0
		for i := t.lo; i < t.hi; i++ {
			c := 0.0
			if len(d.vecs[i]) > 0 {
				c = denseCos(weigh(d.vecs[i]), cent) * d.weight(i)
			}
			rel[i-t.lo] = c
			top = max(top, c)
		}
		for i := range rel {
			if top > 0 {
				rel[i] /= top
			}
			rel[i] = 0.95*rel[i] + 0.05*d.central[t.lo+i]
		}
		out[k].order = d.mmr(t.lo, rel)
	}
	return out
}

// centroidTerms is how many of a topic's heaviest terms its centroid keeps
// (as in MEAD): the topic's signature, without the long tail of words that
// every topic shares.
const centroidTerms = 20

func (d *doc) centroid(t topic, weigh func([]term) dense) dense {
	sum := dense{}
	uses := map[int32]int{}
	for i := t.lo; i < t.hi; i++ {
		for id, w := range weigh(d.vecs[i]) {
			sum[id] += w
			uses[id]++
		}
	}
	if t.hi-t.lo > 3 {
		for id, n := range uses {
			if n < 2 {
				delete(sum, id) // said once: not what the topic is about
			}
		}
	}
	if len(sum) <= centroidTerms {
		return sum
	}
	type kv struct {
		id int32
		w  float64
	}
	all := make([]kv, 0, len(sum))
	for id, w := range sum {
		all = append(all, kv{id, w})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].w != all[j].w {
			return all[i].w > all[j].w
		}
		return all[i].id < all[j].id
	})
	out := make(dense, centroidTerms)
	for _, x := range all[:centroidTerms] {
		out[x.id] = x.w
	}
	return out
}

func vecDense(v []term) dense {
	m := make(dense, len(v))
	for _, t := range v {
		m[t.id] = t.w
	}
	return m
}

const lambda = 0.8 // MMR: weight of relevance against novelty

func (d *doc) mmr(lo int, rel []float64) []int {
	left := make([]int, 0, len(rel))
	for i := range rel {
		if len(d.vecs[lo+i]) > 0 {
			left = append(left, lo+i)
		}
	}
	maxSim := make([]float64, len(rel))
	var order []int
	for len(left) > 0 {
		bi, best := 0, math.Inf(-1)
		for k, i := range left {
			s := lambda*rel[i-lo] - (1-lambda)*maxSim[i-lo]
			if s > best {
				bi, best = k, s
			}
		}
		p := left[bi]
		order = append(order, p)
		left = slices.Delete(left, bi, bi+1)
		for _, i := range left {
			maxSim[i-lo] = max(maxSim[i-lo], cosine(d.vecs[i], d.vecs[p]))
		}
		if len(order) >= 64 {
			break // more than any style takes from one topic
		}
	}
	return order
}

// pick returns n units in transcript order drawn from the topics: every
// topic gets its share by length (at least one while n allows), each taking
// its MMR order, skipping near-duplicates (cosine > 0.6) of units already
// picked anywhere.
func (d *doc) pick(tops []topic, n int) []int {
	quota := shares(tops, n)
	var picked []int
	for k, t := range tops {
		taken := 0
		for _, i := range t.order {
			if taken >= quota[k] {
				break
			}
			dup := false
			for _, j := range picked {
				if cosine(d.vecs[i], d.vecs[j]) > 0.6 {
					dup = true
					break
				}
			}
			if !dup {
				picked = append(picked, i)
				taken++
			}
		}
	}
	sort.Ints(picked)
	return picked
}

// shares divides n picks among topics in proportion to their length
// (largest remainder), one at least for each while n allows.
func shares(tops []topic, n int) []int {
	q := make([]int, len(tops))
	total := 0
	for _, t := range tops {
		total += t.hi - t.lo
	}
	if total == 0 {
		return q
	}
	given := 0
	if n >= len(tops) {
		for k := range q {
			q[k] = 1
		}
		given = len(tops)
	}
	type rem struct {
		k int
		r float64
	}
	var rems []rem
	rest := n - given
	for k, t := range tops {
		exact := float64(rest) * float64(t.hi-t.lo) / float64(total)
		q[k] += int(exact)
		given += int(exact)
		rems = append(rems, rem{k, exact - math.Floor(exact)})
	}
	sort.SliceStable(rems, func(i, j int) bool { return rems[i].r > rems[j].r })
	for i := 0; given < n && i < len(rems); i++ {
		q[rems[i].k]++
		given++
	}
	return q
}

// title names a topic by its three most distinctive terms: frequent in the
// topic, rare in the rest of the transcript, each shown in the surface form
// the speaker used most.
func (d *doc) title(t topic) string {
	tf := map[int32]float64{}
	for i := t.lo; i < t.hi; i++ {
		for _, x := range d.vecs[i] {
			tf[x.id]++
		}
	}
	type scored struct {
		id int32
		s  float64
	}
	var ss []scored
	for id, c := range tf {
		if c < 2 && t.hi-t.lo > 3 {
			continue
		}
		w := c * d.idf[id]
		if whole := t.lo == 0 && t.hi == len(d.sents); !whole {
			w *= 0.2 + d.burst[id] // with topics: words of this one, not filler
		}
		ss = append(ss, scored{id, w})
	}
	sort.Slice(ss, func(i, j int) bool {
		if ss[i].s != ss[j].s {
			return ss[i].s > ss[j].s
		}
		return ss[i].id < ss[j].id
	})
	var words []string
	for _, x := range ss {
		if len(words) == 3 {
			break
		}
		words = append(words, d.surfaceOf(x.id))
	}
	if len(words) == 0 || cjkStart(words[0]) {
		// No terms, or CJK character pairs, which read badly as a title:
		// the start of the topic's best unit instead.
		best := t.lo
		if len(t.order) > 0 {
			best = t.order[0]
		}
		return headline(d.sents[best].Text)
	}
	return capitalise(strings.Join(words, ", "))
}

func (d *doc) surfaceOf(id int32) string {
	best, n := "", 0
	for s, c := range d.surface[id] {
		if c > n || c == n && s < best {
			best, n = s, c
		}
	}
	return best
}

// headline returns the first words of a sentence as a title.
func headline(s string) string {
	w := strings.Fields(s)
	if len(w) > 8 {
		return capitalise(strings.Join(w[:8], " ")) + "…"
	}
	if rs := []rune(s); len(rs) > 24 {
		return string(rs[:20]) + "…" // CJK: no spaces to cut at
	}
	return capitalise(strings.TrimRight(s, ".!?。！？"))
}
