package tts

import (
	"context"
	"sort"
	"strings"

	"ytsum/backend/ytsum"
)

// SummarySpeech is optionally implemented by Options.Texts: the text of a
// saved summary and the language it is written in (SpeechLanguage of the
// summary), so /speak with a video_id reads it with a voice of that
// language. Same contract as SummaryTexts.
type SummarySpeech interface {
	SummarySpeech(ctx context.Context, videoID string) (text, language string, err error)
}

// SpeechLanguage returns the language a summary is written in: its output
// language, or the transcript's when the output language was "same" (the
// video's own). "" when unknown (English is then assumed).
func SpeechLanguage(s *ytsum.Summary) string {
	if s == nil {
		return ""
	}
	if s.Language != "" && s.Language != ytsum.LanguageSame {
		return s.Language
	}
	return s.TranscriptLanguage
}

// cloudLocales maps a language (base subtag) to the Cloud TTS locale its
// default voice speaks; a language with a region in this set is used as is
// ("pt-PT", "en-GB", "es-US", "fr-CA").
var cloudLocales = map[string]string{
	"en": "en-US", "de": "de-DE", "es": "es-ES", "fr": "fr-FR", "it": "it-IT", "pt": "pt-BR", "nl": "nl-NL",
	"ja": "ja-JP", "ko": "ko-KR", "zh": "cmn-CN", "cmn": "cmn-CN", "hi": "hi-IN", "ru": "ru-RU", "pl": "pl-PL",
	"tr": "tr-TR", "ar": "ar-XA", "id": "id-ID", "vi": "vi-VN", "sv": "sv-SE", "da": "da-DK", "nb": "nb-NO",
	"no": "nb-NO", "fi": "fi-FI", "uk": "uk-UA", "cs": "cs-CZ", "el": "el-GR", "hu": "hu-HU", "ro": "ro-RO",
	"th": "th-TH", "bn": "bn-IN", "ta": "ta-IN", "te": "te-IN", "mr": "mr-IN", "gu": "gu-IN", "kn": "kn-IN",
	"ml": "ml-IN", "he": "he-IL", "sk": "sk-SK", "bg": "bg-BG", "ca": "ca-ES",
}

// regionalLocales are locales with Chirp3-HD voices used when the language
// code names that region.
var regionalLocales = map[string]bool{"en-GB": true, "en-AU": true, "en-IN": true, "es-US": true, "fr-CA": true,
	"pt-PT": true, "pt-BR": true, "de-DE": true, "es-ES": true, "fr-FR": true, "en-US": true, "cmn-CN": true}

// LocaleFor returns the Cloud TTS locale for a BCP-47 language code ("de" →
// "de-DE", "pt-PT" → "pt-PT", "zh-Hans" → "cmn-CN"); "" when the language
// is unknown or empty.
func LocaleFor(lang string) string {
	lang = strings.TrimSpace(strings.ReplaceAll(lang, "_", "-"))
	if lang == "" || lang == ytsum.LanguageSame {
		return ""
	}
	parts := strings.Split(lang, "-")
	base := strings.ToLower(parts[0])
	if len(parts) > 1 && len(parts[len(parts)-1]) == 2 {
		loc := base + "-" + strings.ToUpper(parts[len(parts)-1])
		if regionalLocales[loc] {
			return loc
		}
	}
	return cloudLocales[base]
}

// VoiceForLanguage returns the default Cloud voice of a language: the
// Chirp3-HD "Zephyr" voice of its locale (Chirp3-HD voices exist under the
// same names in every locale of cloudLocales), DefaultVoice for English or
// an unknown language.
func VoiceForLanguage(lang string) string {
	loc := LocaleFor(lang)
	if loc == "" || loc == "en-US" {
		return DefaultVoice
	}
	return loc + "-Chirp3-HD-Zephyr"
}

// baseOf returns the base language of a locale or code ("de-DE" → "de",
// "cmn-CN" → "zh").
func baseOf(code string) string {
	b := strings.ToLower(code)
	if i := strings.IndexAny(b, "-_"); i >= 0 {
		b = b[:i]
	}
	switch b {
	case "cmn", "yue":
		return "zh"
	case "no":
		return "nb"
	}
	return b
}

// sameLanguage reports whether a voice name speaks lang (base languages
// compared; "" counts as English).
func sameLanguage(voice, lang string) bool {
	if lang == "" || lang == ytsum.LanguageSame {
		lang = "en"
	}
	return baseOf(languageOf(voice)) == baseOf(lang)
}

// voiceFor picks the voice that reads text in lang: the requested voice
// when the caller named one; else the configured voice when it speaks lang;
// else the default voice of lang (VoiceForLanguage).
func (s *Service) voiceFor(requested, lang string) string {
	if requested != "" {
		return requested
	}
	cur := s.CurrentVoice()
	if LocaleFor(lang) == "" || cur == OfflineVoice || sameLanguage(cur, lang) {
		return cur
	}
	return VoiceForLanguage(lang)
}

// languageFallbacks are the voices tried after a non-English voice failed:
// the locale's Chirp3-HD default, its Standard-A voice (which nearly every
// locale has), then the English chain (English audio beats none).
func languageFallbacks(voice string) []string {
	loc := languageOf(voice)
	var out []string
	for _, v := range []string{loc + "-Chirp3-HD-Zephyr", loc + "-Standard-A"} {
		if v != voice {
			out = append(out, v)
		}
	}
	return append(out, FallbackChain...)
}

// VoicesFor is Voices filtered to the voices of a language (a BCP-47 code;
// "" = every voice): the catalogue's and the account's voices of that
// language, the offline voice, and the language's default voice (added when
// the lists lack it). DefaultVoice is then that language's default, and
// CurrentVoice the voice a summary in it is read with when the request
// names none.
func (s *Service) VoicesFor(ctx context.Context, lang string) VoicesResponse {
	r := s.Voices(ctx)
	if LocaleFor(lang) == "" {
		return r
	}
	def := VoiceForLanguage(lang)
	voices := map[string]Voice{}
	tiers := map[string][]Voice{}
	for name, v := range r.Voices {
		if name == OfflineVoice || sameLanguage(name, lang) {
			voices[name] = v
		}
	}
	if _, ok := voices[def]; !ok {
		v := accountVoice(def, languageOf(def), "female")
		v.Source, v.Description = "catalogue", "Premium AI voice for "+languageOf(def)+" (the default for this language)"
		voices[def] = v
	}
	for _, v := range voices {
		tiers[v.Tier] = append(tiers[v.Tier], v)
	}
	for _, t := range tiers {
		sort.Slice(t, func(i, j int) bool { return t[i].Name < t[j].Name })
	}
	r.Voices, r.Tiers, r.DefaultVoice = voices, tiers, def
	r.CurrentVoice = s.voiceFor("", lang)
	r.Language = lang
	return r
}

// espeakVoices are the languages espeak-ng ships (espeak-ng --voices).
var espeakVoices = func() map[string]bool {
	m := map[string]bool{}
	for _, v := range strings.Fields("af am an ar as az ba be bg bn bpy bs ca cmn cs cv cy da de el en-029 en-gb " +
		"en-us eo es es-419 et eu fa fi fr-be fr-ch fr-fr ga gd gn grc gu hak haw he hi hr ht hu hy hyw ia id io " +
		"is it ja jbo ka kk kl kn ko kok ku ky la lb lfn lt ltg lv mi mk ml mr ms mt my nb nci ne nl nog om or pa " +
		"pap piqd pl pt pt-br py qdb qu quc qya ro ru ru-lv sd shn si sjn sk sl smj sq sr sv sw ta te th tk tn tr " +
		"tt ug uk ur uz vi yue") {
		m[v] = true
	}
	return m
}()

// espeakVoice returns the espeak-ng voice for a language code: the full
// code when espeak-ng has it ("pt-br", "en-gb"), else its base ("de"), with
// "en" → "en-us", "fr" → "fr-fr", "zh" → "cmn"; "en-us" when unknown.
func espeakVoice(lang string) string {
	l := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(lang), "_", "-"))
	if espeakVoices[l] {
		return l
	}
	switch b := baseOf(l); b {
	case "", "en", "same":
		return "en-us"
	case "fr":
		return "fr-fr"
	case "zh":
		return "cmn"
	default:
		if espeakVoices[b] {
			return b
		}
	}
	return "en-us"
}
