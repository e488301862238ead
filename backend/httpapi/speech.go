package httpapi

import (
	"context"

	"ytsum/backend/tts"
)

// languageVoices is optionally implemented by the Speech service
// (*tts.Service): the catalogue filtered by language, for
// GET /api/voices?language=xx.
type languageVoices interface {
	VoicesFor(ctx context.Context, language string) tts.VoicesResponse
}
