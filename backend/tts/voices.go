package tts

import (
	"regexp"
	"sort"
	"strings"
)

// Voice is one entry of the voice catalogue, shaped like the original app's
// voice records (voice_config.py) plus Source.
type Voice struct {
	Name         string `json:"name"`
	DisplayName  string `json:"display_name"`
	LanguageCode string `json:"language_code"`
	Gender       string `json:"gender"`
	Accent       string `json:"accent"`
	Style        string `json:"style"`
	Tier         string `json:"tier"`
	Description  string `json:"description"`
	Quality      string `json:"quality"`
	// Source is "catalogue" (the original app's 11 voices), "account" (from
	// the Cloud TTS voices:list of the configured key) or "offline".
	Source string `json:"source"`
}

// VoicesResponse is the voice catalogue: voices by id, the same voices
// grouped by tier, the configured voice and the default. GET /api/voices
// answers it in the original app's shape, with each tier listing voice ids
// (package httpapi's VoiceCatalog), not voice records.
type VoicesResponse struct {
	Voices       map[string]Voice   `json:"voices"`
	Tiers        map[string][]Voice `json:"tiers"`
	CurrentVoice string             `json:"current_voice"`
	DefaultVoice string             `json:"default_voice"`
	// OfflineAvailable tells whether the offline voice can speak here.
	OfflineAvailable bool `json:"offline_available"`
	// CloudConfigured tells whether Cloud TTS credentials are set.
	CloudConfigured bool `json:"cloud_configured"`
	// Language is the language the list is filtered by (VoicesFor); "" when
	// it holds every voice.
	Language string `json:"language,omitempty"`
}

// DefaultVoice is the voice used when none is configured (TTS_VOICE).
const DefaultVoice = "en-US-Chirp3-HD-Zephyr"

// OfflineVoice is the id of the OS's own offline voice in the catalogue.
const OfflineVoice = "offline"

// Tiers of the catalogue, best first (the original's four plus "offline";
// account voices may add "chirp-hd", "standard", "news", "polyglot",
// "casual" and "other").
const (
	TierChirp3HD = "chirp3-hd"
	TierNeural2  = "neural2"
	TierStudio   = "studio"
	TierWavenet  = "wavenet"
	TierOffline  = "offline"
)

// FallbackChain is the original app's order of voices to try when a voice
// fails: Zephyr → Neural2-C → Neural2-J → Studio-O → Wavenet-D.
var FallbackChain = []string{
	"en-US-Chirp3-HD-Zephyr",
	"en-US-Neural2-C",
	"en-US-Neural2-J",
	"en-US-Studio-O",
	"en-US-Wavenet-D",
}

// catalogue is the original app's AVAILABLE_VOICES, in its order.
var catalogue = []Voice{
	{"en-US-Chirp3-HD-Zephyr", "Zephyr (Premium Female)", "en-US", "female", "US", "narrative", TierChirp3HD, "Premium AI voice, excellent for narration and storytelling", "premium", "catalogue"},
	{"en-US-Chirp3-HD-Charon", "Charon (Premium Male)", "en-US", "male", "US", "authoritative", TierChirp3HD, "Premium AI voice with authoritative tone for professional content", "premium", "catalogue"},
	{"en-US-Chirp3-HD-Leda", "Leda (Premium Female)", "en-US", "female", "US", "versatile", TierChirp3HD, "Premium AI voice, versatile and perfect for diverse content", "premium", "catalogue"},
	{"en-US-Chirp3-HD-Aoede", "Aoede (Premium Female)", "en-US", "female", "US", "smooth", TierChirp3HD, "Premium AI voice with smooth delivery for educational content", "premium", "catalogue"},
	{"en-US-Neural2-C", "Neural2-C (Female)", "en-US", "female", "US", "storytelling", TierNeural2, "Natural storytelling voice with warm delivery", "high", "catalogue"},
	{"en-US-Neural2-J", "Neural2-J (Male)", "en-US", "male", "US", "professional", TierNeural2, "Professional business tone, clear and confident", "high", "catalogue"},
	{"en-US-Neural2-F", "Neural2-F (Female)", "en-US", "female", "US", "warm", TierNeural2, "Warm, engaging delivery perfect for educational content", "high", "catalogue"},
	{"en-US-Studio-O", "Studio-O (Female)", "en-US", "female", "US", "professional", TierStudio, "Professional narrator with clear articulation", "standard", "catalogue"},
	{"en-US-Wavenet-H", "Wavenet-H (Female)", "en-US", "female", "US", "human-like", TierWavenet, "Human-like inflection with natural speech patterns", "standard", "catalogue"},
	{"en-US-Wavenet-D", "Wavenet-D (Male)", "en-US", "male", "US", "technical", TierWavenet, "Clear technical delivery, ideal for instructional content", "standard", "catalogue"},
	{"en-GB-Neural2-A", "Neural2-A (British Female)", "en-GB", "female", "UK", "professional", TierNeural2, "British accent with professional tone", "high", "catalogue"},
}

// Catalogue returns a copy of the original app's 11 voices, in its order.
func Catalogue() []Voice { return append([]Voice(nil), catalogue...) }

func offlineVoiceEntry(engine string) Voice {
	return Voice{Name: OfflineVoice, DisplayName: "Offline voice (" + engine + ")", LanguageCode: "en-US",
		Gender: "neutral", Accent: "US", Style: "robotic", Tier: TierOffline,
		Description: "The computer's own speech engine; works without internet or an API key, but sounds robotic",
		Quality:     "basic", Source: "offline"}
}

var reVoiceID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,99}$`)

// validVoiceID reports whether id can name a voice (and so a cache file).
func validVoiceID(id string) bool { return reVoiceID.MatchString(id) }

// languageOf returns the language code of a Cloud voice name
// ("en-US-Neural2-F" → "en-US", "cmn-CN-Wavenet-A" → "cmn-CN").
func languageOf(name string) string {
	parts := strings.SplitN(name, "-", 3)
	if len(parts) < 3 {
		return "en-US"
	}
	return parts[0] + "-" + parts[1]
}

// tierOf derives a tier from a Cloud voice name's family.
func tierOf(name string) string {
	l := strings.ToLower(name)
	switch {
	case strings.Contains(l, "-chirp3-hd-"):
		return TierChirp3HD
	case strings.Contains(l, "-chirp-hd-"):
		return "chirp-hd"
	case strings.Contains(l, "-neural2-"):
		return TierNeural2
	case strings.Contains(l, "-studio-"):
		return TierStudio
	case strings.Contains(l, "-wavenet-"):
		return TierWavenet
	case strings.Contains(l, "-standard-"):
		return "standard"
	case strings.Contains(l, "-news-"):
		return "news"
	case strings.Contains(l, "-polyglot-"):
		return "polyglot"
	case strings.Contains(l, "-casual-"):
		return "casual"
	}
	return "other"
}

var tierQuality = map[string]string{TierChirp3HD: "premium", "chirp-hd": "premium", TierNeural2: "high",
	TierStudio: "standard", TierWavenet: "standard", "standard": "basic"}

// accountVoice describes a voice from voices:list that the catalogue lacks.
func accountVoice(name, lang, gender string) Voice {
	tier := tierOf(name)
	q := tierQuality[tier]
	if q == "" {
		q = "standard"
	}
	accent := ""
	if p := strings.SplitN(lang, "-", 2); len(p) == 2 {
		accent = p[1]
		if accent == "GB" {
			accent = "UK"
		}
	}
	variant := name[strings.LastIndex(name, "-")+1:]
	family := strings.TrimSuffix(strings.TrimPrefix(name, lang+"-"), "-"+variant)
	disp := variant + " (" + family
	if gender != "" && gender != "unspecified" {
		disp += ", " + strings.ToUpper(gender[:1]) + gender[1:]
	}
	disp += ", " + lang + ")"
	return Voice{Name: name, DisplayName: disp, LanguageCode: lang, Gender: gender, Accent: accent,
		Tier: tier, Description: "Cloud voice available to your key (" + family + ")", Quality: q, Source: "account"}
}

// buildVoices assembles the catalogue, the offline voice (when engine is
// not empty) and the account's voices.
func buildVoices(account []Voice, offlineEngine string) (map[string]Voice, map[string][]Voice) {
	voices := map[string]Voice{}
	tiers := map[string][]Voice{TierChirp3HD: {}, TierNeural2: {}, TierStudio: {}, TierWavenet: {}}
	for _, v := range catalogue {
		voices[v.Name] = v
		tiers[v.Tier] = append(tiers[v.Tier], v)
	}
	if offlineEngine != "" {
		v := offlineVoiceEntry(offlineEngine)
		voices[v.Name] = v
		tiers[v.Tier] = []Voice{v}
	}
	extra := make([]Voice, 0, len(account))
	for _, v := range account {
		if _, ok := voices[v.Name]; !ok {
			extra = append(extra, v)
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i].Name < extra[j].Name })
	for _, v := range extra {
		voices[v.Name] = v
		tiers[v.Tier] = append(tiers[v.Tier], v)
	}
	return voices, tiers
}

// fallbacks returns the voices to try after voice failed, in the original
// app's order: the chain after voice's position if it is in the chain, the
// whole chain otherwise (voice itself excluded). A voice of another language
// than English first falls back to its language's voices
// (languageFallbacks).
func fallbacks(voice string) []string {
	if baseOf(languageOf(voice)) != "en" {
		return languageFallbacks(voice)
	}
	start := 0
	for i, v := range FallbackChain {
		if v == voice {
			start = i + 1
		}
	}
	var out []string
	for _, v := range FallbackChain[start:] {
		if v != voice {
			out = append(out, v)
		}
	}
	return out
}
