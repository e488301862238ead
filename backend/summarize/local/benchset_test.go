package local

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"ytsum/backend/ytsum"
)

// A labelled synthetic transcript for the quality benchmark: auto-caption-like
// segments (lower case, no punctuation, 4–9 words each, cut without regard to
// sentences) with planted key sentences, known chapter starts, pauses between
// most sentences and ">>" speaker marks.
type labelled struct {
	name     string
	lang     string
	segs     []ytsum.Segment
	planted  []string  // the key sentences, in order: the reference summary
	chapters []float64 // start time of each topic, seconds (the first is 0)
}

// vocab is one language's material: generic chatter chunks, connectives and
// planted-sentence templates (%s is a topic word), and topics of content words.
type vocab struct {
	chatter   []string
	templates []string
	topics    [][]string
	names     []string // proper nouns, capitalised mid-sentence
}

var benchVocab = map[string]vocab{
	"en": {
		chatter: strings.Split(`so what we are going to do now is|and then you can see that|let me just show you|`+
			`okay so basically|if you think about it|and this is where it gets interesting|you know what I mean|`+
			`I was talking to a friend about|right so the next thing is|and honestly|the thing is|`+
			`now here is the part|we will come back to that|as you can see here|let us take a quick look at|`+
			`so I tried this with|and I noticed that|which is kind of cool|if you have ever wondered about|`+
			`a lot of people ask me about`, "|"),
		templates: []string{
			"the most important thing about %s is that %s depends on %s and %s",
			"remember that %s only works when %s and %s stay within the %s limits",
			"the key lesson here is that %s beats %s whenever %s matters for %s",
			"in short %s changes %s because %s controls the %s",
			"the main takeaway is to check %s before you touch %s or %s near the %s",
		},
		topics: [][]string{
			strings.Fields("battery lithium cells voltage charging capacity anode cathode thermal pack"),
			strings.Fields("sourdough starter flour hydration gluten oven crust dough fermentation yeast"),
			strings.Fields("telescope lens aperture galaxy nebula exposure tracking mount focal eyepiece"),
			strings.Fields("compiler parser tokens syntax bytecode optimizer registers linker symbols grammar"),
			strings.Fields("garden tomatoes compost soil seedlings watering mulch pruning fertilizer roots"),
			strings.Fields("guitar chords fretboard strings tuning rhythm strumming capo scales melody"),
			strings.Fields("mortgage interest lender refinance principal equity payments credit rates loan"),
			strings.Fields("marathon training mileage tempo recovery hydration pacing shoes intervals stamina"),
			strings.Fields("database index queries transactions schema replication latency shards tables cache"),
			strings.Fields("camera shutter sensor aperture lighting portrait tripod iso framing lens"),
			strings.Fields("volcano magma eruption lava crater ash tectonic plates pressure seismic"),
			strings.Fields("bicycle gears chain brakes derailleur tires saddle frame cadence spokes"),
		},
		names: []string{"Tesla", "Paris", "Linux", "Sarah", "NASA", "Berlin"},
	},
	"de": {
		chatter: strings.Split(`also was wir jetzt machen ist|und dann sieht man dass|ich zeige euch mal kurz|`+
			`okay also im Grunde|wenn man darüber nachdenkt|und hier wird es spannend|ihr wisst was ich meine|`+
			`ich habe mit einem Freund gesprochen über|gut also als nächstes|und ehrlich gesagt|die Sache ist|`+
			`jetzt kommt der Teil|darauf kommen wir noch zurück|wie ihr hier seht|schauen wir uns kurz an|`+
			`ich habe das ausprobiert mit|und mir ist aufgefallen dass|was ziemlich cool ist|`+
			`viele Leute fragen mich nach`, "|"),
		templates: []string{
			"das wichtigste an der %s ist dass die %s von der %s und dem %s abhängt",
			"merkt euch dass die %s nur funktioniert wenn %s und %s innerhalb der %s bleiben",
			"die wichtigste Lehre ist dass die %s besser ist als die %s sobald die %s für den %s zählt",
			"kurz gesagt verändert die %s den %s weil die %s den %s steuert",
		},
		topics: [][]string{
			strings.Fields("batterie zellen spannung ladung kapazität anode kathode kühlung akku strom"),
			strings.Fields("sauerteig mehl teig ofen kruste gärung hefe wasser brot kneten"),
			strings.Fields("teleskop linse galaxie nebel belichtung montierung brennweite okular sterne himmel"),
			strings.Fields("garten tomaten kompost boden setzlinge gießen mulch schnitt dünger wurzeln"),
			strings.Fields("gitarre akkorde griffbrett saiten stimmung rhythmus anschlag kapodaster tonleiter melodie"),
			strings.Fields("vulkan magma ausbruch lava krater asche platten druck erdbeben gestein"),
		},
		names: []string{"Berlin", "Linux", "Anna", "Bosch"},
	},
	"es": {
		chatter: strings.Split(`entonces lo que vamos a hacer ahora es|y luego se puede ver que|déjame mostrarte|`+
			`bueno básicamente|si lo piensas bien|y aquí es donde se pone interesante|ya sabes a lo que me refiero|`+
			`estaba hablando con un amigo sobre|bien lo siguiente es|y sinceramente|la cosa es|`+
			`ahora viene la parte|volveremos a eso|como puedes ver aquí|echemos un vistazo rápido a|`+
			`lo probé con|y me di cuenta de que|lo cual está bastante bien|mucha gente me pregunta por`, "|"),
		templates: []string{
			"lo más importante de la %s es que la %s depende de la %s y del %s",
			"recuerda que la %s solo funciona cuando la %s y la %s están dentro del %s",
			"la lección clave es que la %s supera a la %s cuando la %s importa para el %s",
			"en resumen la %s cambia el %s porque la %s controla el %s",
		},
		topics: [][]string{
			strings.Fields("batería celdas voltaje carga capacidad ánodo cátodo refrigeración litio corriente"),
			strings.Fields("masa harina horno corteza fermentación levadura agua pan amasar hidratación"),
			strings.Fields("telescopio lente galaxia nebulosa exposición montura focal ocular estrellas cielo"),
			strings.Fields("jardín tomates compost suelo plántulas riego acolchado poda fertilizante raíces"),
			strings.Fields("guitarra acordes diapasón cuerdas afinación ritmo rasgueo cejilla escalas melodía"),
			strings.Fields("volcán magma erupción lava cráter ceniza placas presión sismo roca"),
		},
		names: []string{"Madrid", "Linux", "María", "Seat"},
	},
}

// benchSet returns the 20 labelled transcripts: 14 English, 3 German and 3
// Spanish, generated from fixed seeds (the same every run).
func benchSet() []labelled {
	var out []labelled
	for i := range 20 {
		lang := "en"
		switch {
		case i >= 17:
			lang = "es"
		case i >= 14:
			lang = "de"
		}
		out = append(out, synth(fmt.Sprintf("%s-%02d", lang, i), lang, uint64(i)+1))
	}
	return out
}

// synth builds one transcript of 4–6 topics of unequal length (12–45
// sentences each), two planted key sentences per topic.
func synth(name, lang string, seed uint64) labelled {
	r := rand.New(rand.NewPCG(seed, seed*7919))
	v := benchVocab[lang]
	nTopics := 4 + r.IntN(3)
	topics := r.Perm(len(v.topics))[:nTopics]
	l := labelled{name: name, lang: lang}

	type sentence struct {
		words   []string
		speaker bool
	}
	var sents []sentence
	var topicStart []int // sentence index where each topic starts
	plantedAt := map[int]bool{}
	for _, ti := range topics {
		words := v.topics[ti]
		n := 12 + r.IntN(34)
		topicStart = append(topicStart, len(sents))
		p1 := 1 + r.IntN(n/2)
		p2 := n/2 + 1 + r.IntN(n/2-1)
		for k := range n {
			var s string
			if k == p1 || k == p2 {
				tmpl := v.templates[r.IntN(len(v.templates))]
				args := make([]any, strings.Count(tmpl, "%s"))
				perm := r.Perm(len(words))
				for a := range args {
					args[a] = words[perm[a]]
				}
				s = fmt.Sprintf(tmpl, args...)
				l.planted = append(l.planted, s)
				plantedAt[len(sents)] = true
			} else {
				// Chatter with up to two topic words (and sometimes a name):
				// talk around the subject, where a key sentence is dense in it.
				var parts []string
				for range 1 + r.IntN(2) {
					parts = append(parts, v.chatter[r.IntN(len(v.chatter))])
				}
				for range r.IntN(3) {
					parts = append(parts, words[r.IntN(len(words))])
				}
				if r.IntN(6) == 0 {
					parts = append(parts, v.names[r.IntN(len(v.names))])
				}
				r.Shuffle(len(parts)-1, func(a, b int) { parts[a+1], parts[b+1] = parts[b+1], parts[a+1] })
				s = strings.Join(parts, " ")
			}
			sents = append(sents, sentence{words: strings.Fields(s), speaker: k > 0 && r.IntN(7) == 0})
		}
	}

	// Lay the sentences out as captions of 4–9 words, 0.38 s a word; a pause
	// of 0.6–1.6 s after four sentences in five, none after the rest.
	t := 0.0
	var cur []string
	curStart := 0.0
	flush := func() {
		if len(cur) == 0 {
			return
		}
		d := float64(len(cur)) * 0.38
		l.segs = append(l.segs, ytsum.Segment{Start: round2(curStart), Duration: round2(d), Text: strings.Join(cur, " ")})
		cur = nil
	}
	target := 4 + r.IntN(6)
	ti := 0
	for si, s := range sents {
		if ti < len(topicStart) && topicStart[ti] == si {
			l.chapters = append(l.chapters, round2(t))
			ti++
		}
		for wi, w := range s.words {
			if len(cur) == 0 {
				curStart = t
			}
			if wi == 0 && s.speaker {
				w = ">> " + w
			}
			cur = append(cur, w)
			t += 0.38
			if len(cur) >= target {
				flush()
				target = 4 + r.IntN(6)
			}
		}
		if r.IntN(5) != 0 || ti < len(topicStart) && si+1 == topicStart[ti] {
			flush()
			target = 4 + r.IntN(6)
			t += 0.6 + r.Float64()
		}
	}
	flush()
	return l
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }
