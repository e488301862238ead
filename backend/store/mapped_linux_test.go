package store

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"ytsum/backend/ytsum"
)

// rssFile is this process's resident file-backed memory (RssFile), in bytes.
func rssFile(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	for line := range strings.Lines(string(b)) {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "RssFile:" {
			k, _ := strconv.ParseInt(f[1], 10, 64)
			return k << 10
		}
	}
	t.Skip("no RssFile in /proc/self/status")
	return 0
}

// Reading the whole database maps its pages into the process; ReleaseMapped
// lets them go, and reading again still gives the same data.
func TestReleaseMapped(t *testing.T) {
	db := MustOpen(t)
	const n = 800 // ~8 MB of text that does not compress
	r := rand.New(rand.NewPCG(1, 2))
	texts := make([]string, n)
	for i := range texts {
		var b strings.Builder
		for b.Len() < 10<<10 {
			fmt.Fprintf(&b, "%x ", r.Uint64())
		}
		texts[i] = b.String()
	}
	err := db.Update(func(tx *Tx) error {
		for i := range n {
			s := &ytsum.Summary{Video: ytsum.Video{ID: fmt.Sprintf("v%010d", i), Title: "T"}, Text: texts[i],
				CacheKey: "k", CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			if err := tx.PutSummary(s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	readAll := func() int {
		got := 0
		_ = db.View(func(tx *Tx) error {
			for i := range n {
				if s, ok, _ := tx.Latest(fmt.Sprintf("v%010d", i)); ok && s.Text == texts[i] {
					got++
				}
			}
			return nil
		})
		return got
	}
	if got := readAll(); got != n {
		t.Fatalf("read %d of %d", got, n)
	}
	before := rssFile(t)
	db.ReleaseMapped()
	after := rssFile(t)
	if before-after < 4<<20 {
		t.Errorf("resident file memory %d MB → %d MB, want at least 4 MB less", before>>20, after>>20)
	}
	if got := readAll(); got != n {
		t.Fatalf("after ReleaseMapped read %d of %d", got, n)
	}
}
