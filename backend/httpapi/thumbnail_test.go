package httpapi

import (
	"testing"
)

// remoteLibrary is a library that knows the remote thumbnail of vid00000009.
type remoteLibrary struct{ *fakeLibrary }

func (remoteLibrary) RemoteThumbnailURL(id string) string {
	if id == "vid00000009" {
		return "https://i.ytimg.com/vi/vid00000009/hqdefault.jpg"
	}
	return ""
}

func TestThumbnailNeverBreaks(t *testing.T) {
	e := newEnv(t, nil)
	e.srv.svc.Thumbnails = remoteLibrary{e.lib}
	tests := []struct {
		target   string
		status   int
		location string
		ctype    string
	}{
		{"/thumbnails/vid00000000", 200, "", "image/jpeg"},
		{"/thumbnails/vid00000009", 302, "https://i.ytimg.com/vi/vid00000009/hqdefault.jpg", ""},
		{"/thumbnails/vid0000000X", 200, "", "image/svg+xml"},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			w := e.do("GET", tc.target, "")
			if w.Code != tc.status || w.Header().Get("Location") != tc.location ||
				(tc.ctype != "" && w.Header().Get("Content-Type") != tc.ctype) {
				t.Fatalf("%s: %d %q %q", tc.target, w.Code, w.Header().Get("Location"), w.Header().Get("Content-Type"))
			}
		})
	}
}
