package main

import (
	"context"

	"ytsum/backend/library"
	"ytsum/backend/tts"
)

// summaryTexts hands speech the saved summaries: their text and the
// language they are written in, so /speak with a video_id reads a German
// summary with a German voice.
type summaryTexts struct{ lib *library.Library }

// SummaryText is the text of videoID's newest summary.
func (t summaryTexts) SummaryText(ctx context.Context, videoID string) (string, error) {
	return t.lib.SummaryText(ctx, videoID)
}

// SummarySpeech is the text of videoID's newest summary and its language
// (tts.SpeechLanguage).
func (t summaryTexts) SummarySpeech(ctx context.Context, videoID string) (text, lang string, err error) {
	if err := ctx.Err(); err != nil {
		return "", "", err
	}
	s, err := t.lib.Latest(videoID)
	if err != nil {
		return "", "", err
	}
	return s.Text, tts.SpeechLanguage(s), nil
}
