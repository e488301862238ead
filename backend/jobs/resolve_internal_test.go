package jobs

import (
	"testing"

	"ytsum/backend/ytsum"
)

// A loader that answers fewer keys than it was asked says nothing about the
// rest: they show as unreadable, not as deleted from the library.
func TestResolveShortLoaderAnswerIsUnreadable(t *testing.T) {
	rec := &record{Links: []linkState{{Kind: kindPlaylist, Videos: []videoState{
		{ID: "aaaaaaaaaaa", Ref: &summaryRef{CacheKey: "k1"}},
		{ID: "bbbbbbbbbbb", Ref: &summaryRef{CacheKey: "k2"}},
	}}}}
	rec.resolve(func(keys []ytsum.SummaryKey) []ytsum.SummaryLookup {
		return []ytsum.SummaryLookup{{}} // the first is gone; the second was not read
	})
	if got := rec.Links[0].Videos[0].Result; got == nil || got.ErrorKind != "summary_deleted" {
		t.Fatalf("first video: %+v, want summary_deleted", got)
	}
	if got := rec.Links[0].Videos[1].Result; got == nil || got.ErrorKind != "store_unavailable" {
		t.Fatalf("second video: %+v, want store_unavailable", got)
	}
}
