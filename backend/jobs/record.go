package jobs

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ytsum/backend/ytsum"
)

// recordVersion is the version of the stored job record. Version 1 kept
// the whole job, every result's text included, in one record rewritten at
// every change; version 2 (below) keeps a head and one part per link plan
// and per video outcome, and a finished video as a reference to its saved
// summary. Version 1 records are still read.
const recordVersion = 2

// Link states inside a record.
const (
	kindUnresolved = ""
	kindVideo      = "video"
	kindPlaylist   = "playlist"
	kindChannel    = "channel"
	kindError      = "error"
	kindAsk        = "ask" // the question of an ask job; Item is its answer (ask.go)
)

// record is what the engine keeps for a job: the job's public fields plus
// the plan needed to resume it. The job's results are not kept twice: they
// live in Links and are built by results.
//
// Stored (version 2) it is a head and parts (Records.PutJob):
//
//	head        {"v":2,"job":{… no results …},"options","mode","interruptions",
//	             "links":[each link without its videos]}
//	"l/<i>"     link i with its videos' plan (id, title, duration; the
//	            outcome of an entry YouTube marked unavailable)
//	"v/<i>/<j>" the outcome of video j of link i: {"ref":{…}} for a saved
//	            summary, else {"result":{…error…},"skipped"?}
//
// A part overrides what the head or the link's part says about the same
// link or video. A change writes the head only when the job's own fields
// changed (status, interruptions) and the parts it touched, so a finished
// video costs one small part however large the job.
type record struct {
	Version       int                  `json:"v"`
	Job           *ytsum.Job           `json:"job"` // Results left empty
	Options       ytsum.SummaryOptions `json:"options"`
	Mode          Mode                 `json:"mode,omitempty"`
	Interruptions int                  `json:"interruptions,omitempty"`
	Links         []linkState          `json:"links"`

	// dirty is what the current change touched; unsaved what no write has
	// stored yet (a failed write is retried with the next change). Not
	// stored.
	dirty, unsaved changes
}

// changes names what a mutation touched: the head, link plans, video
// outcomes. Links and videos also say which result items to announce.
type changes struct {
	head   bool
	links  []int
	videos []task
}

// linkState is one submitted link and its progress.
type linkState struct {
	URL        string        `json:"url"`
	Kind       string        `json:"kind,omitempty"` // kindUnresolved until resolved
	PlaylistID string        `json:"playlist_id,omitempty"`
	ChannelID  string        `json:"channel_id,omitempty"`
	Title      string        `json:"title,omitempty"`
	Item       *ytsum.Result `json:"item,omitempty"` // error items, answers, playlists that failed to expand
	Videos     []videoState  `json:"videos,omitempty"`
}

// videoState is one video of a link; Result is set once it finished.
type videoState struct {
	ID              string        `json:"id"`
	Title           string        `json:"title,omitempty"`
	DurationSeconds int           `json:"duration_seconds,omitempty"`
	Result          *ytsum.Result `json:"result,omitempty"`
	// Ref names the saved summary Result was made from; when set, the
	// stored outcome is Ref alone and Result is loaded back from the
	// library.
	Ref *summaryRef `json:"ref,omitempty"`
	// Skipped marks a Result written when the job ended before the video
	// was processed (cancelled, failed); it does not count as progress.
	Skipped bool `json:"skipped,omitempty"`
}

// summaryRef is how a finished video's summary is found again
// (Summaries.Summary) and shown (ytsum.VideoResult with Source).
type summaryRef struct {
	VideoID  string `json:"id,omitempty"` // stored empty when it is the video's own id
	CacheKey string `json:"key"`
	Source   string `json:"src"`
}

func (rec *record) markHead()          { rec.dirty.head = true }
func (rec *record) markLink(i int)     { rec.dirty.links = append(rec.dirty.links, i) }
func (rec *record) markVideo(i, j int) { rec.dirty.videos = append(rec.dirty.videos, task{i, j}) }

// merge adds the marks of c to ch.
func (ch *changes) merge(c changes) {
	ch.head = ch.head || c.head
	ch.links = append(ch.links, c.links...)
	ch.videos = append(ch.videos, c.videos...)
}

func (ch *changes) empty() bool { return !ch.head && len(ch.links) == 0 && len(ch.videos) == 0 }

// setVideo records the outcome of video j of link i.
func (rec *record) setVideo(i, j int, res ytsum.Result, ref *summaryRef, skipped bool) {
	v := &rec.Links[i].Videos[j]
	v.Result, v.Ref, v.Skipped = &res, ref, skipped
	rec.markVideo(i, j)
}

// markAll marks the head, every link that has a plan and every finished
// video: a record read in version 1 is stored whole in version 2.
func (rec *record) markAll() {
	rec.markHead()
	for i, l := range rec.Links {
		if l.Kind != kindUnresolved {
			rec.markLink(i)
		}
		for j, v := range l.Videos {
			if v.Result != nil {
				rec.markVideo(i, j)
			}
		}
	}
}

// refresh sets the job's total_items and progress from the links; it
// allocates nothing. It returns the number of result items.
func (rec *record) refresh() int {
	total, progress, items := 0, 0, 0
	for i := range rec.Links {
		l := &rec.Links[i]
		switch l.Kind {
		case kindUnresolved:
			total++ // counted as one video until it is resolved
		case kindError:
			if l.Item != nil {
				items++
			}
		case kindAsk:
			total++
			if l.Item != nil {
				items++
				progress++
			}
		case kindVideo:
			total += len(l.Videos)
			for _, v := range l.Videos {
				if v.Result != nil {
					items++
					if !v.Skipped {
						progress++
					}
				}
			}
		case kindPlaylist, kindChannel:
			items++
			if l.Item != nil {
				continue
			}
			total += len(l.Videos)
			for _, v := range l.Videos {
				if v.Result != nil && !v.Skipped {
					progress++
				}
			}
		}
	}
	rec.Job.TotalItems = total
	rec.Job.Progress = progress
	return items
}

// linkItem is link l's result item (present reports whether the link has
// one yet): for a video link its one video's result, for a playlist or
// channel the item with the summaries finished so far.
func linkItem(l *linkState) (item ytsum.Result, present bool) {
	switch l.Kind {
	case kindError, kindAsk:
		if l.Item != nil {
			return *l.Item, true
		}
	case kindVideo:
		for _, v := range l.Videos {
			if v.Result != nil {
				return *v.Result, true
			}
		}
	case kindPlaylist, kindChannel:
		if l.Item != nil {
			return *l.Item, true
		}
		item := ytsum.Result{Type: ytsum.ResultPlaylist, PlaylistID: l.PlaylistID, Title: l.Title,
			Summaries: make([]ytsum.Result, 0, len(l.Videos))}
		if l.Kind == kindChannel {
			item.Type, item.PlaylistID, item.ChannelID = ytsum.ResultChannel, "", l.ChannelID
		}
		for _, v := range l.Videos {
			if v.Result != nil {
				item.Summaries = append(item.Summaries, *v.Result)
			}
		}
		return item, true
	}
	return ytsum.Result{}, false
}

// results builds the job's result items (fresh slices).
func (rec *record) results() []ytsum.Result {
	out := make([]ytsum.Result, 0, len(rec.Links))
	for i := range rec.Links {
		l := &rec.Links[i]
		if l.Kind == kindVideo { // every finished video (a video link has one)
			for _, v := range l.Videos {
				if v.Result != nil {
					out = append(out, *v.Result)
				}
			}
			continue
		}
		if item, ok := linkItem(l); ok {
			out = append(out, item)
		}
	}
	return out
}

// job returns a copy of the job with its results, which the caller owns.
func (rec *record) job() *ytsum.Job {
	j := *rec.Job
	j.Metadata.URLs = slices.Clone(rec.Job.Metadata.URLs)
	j.Results = rec.results()
	return &j
}

// bulkItems is how many videos of one link a change announces one by one;
// above it the link's whole item is announced once.
const bulkItems = 64

// itemChanges returns the item events of the changes marked in
// rec.dirty, in the order a client applies them: link by link, a link's
// own item before its videos, each at its position in the results once
// every change of the batch is applied (applied in this order, each
// insertion lands where the final results have it). A link's own item
// that the reader already holds (a playlist announced whole, see
// bulkItems) replaces it at that position.
func (rec *record) itemChanges() []ytsum.ItemChange {
	type mark struct {
		link, video int // video -1: the link's own item
	}
	var marks []mark
	for _, i := range rec.dirty.links {
		marks = append(marks, mark{i, -1})
	}
	for _, t := range rec.dirty.videos {
		marks = append(marks, mark{t.link, t.video})
	}
	if len(marks) == 0 {
		return nil
	}
	slices.SortFunc(marks, func(a, b mark) int {
		if a.link != b.link {
			return a.link - b.link
		}
		return a.video - b.video
	})
	marks = slices.Compact(marks)
	// Many videos of one playlist or channel at once (a cancel fills in
	// every unfinished one): one event with the whole item instead, which
	// replaces the item the reader holds, so a reader is not flooded.
	perLink := map[int]int{}
	for _, m := range marks {
		if m.video >= 0 {
			perLink[m.link]++
		}
	}
	marks = slices.DeleteFunc(marks, func(m mark) bool { return m.video >= 0 && perLink[m.link] > bulkItems })
	for i, n := range perLink {
		if l := &rec.Links[i]; n > bulkItems && l.Kind != kindVideo && !slices.Contains(marks, mark{i, -1}) {
			marks = append(marks, mark{i, -1})
		}
	}
	slices.SortFunc(marks, func(a, b mark) int {
		if a.link != b.link {
			return a.link - b.link
		}
		return a.video - b.video
	})

	var out []ytsum.ItemChange
	pos, link := 0, 0 // pos: result items of the links before link
	for _, m := range marks {
		for ; link < m.link; link++ {
			pos += itemCount(&rec.Links[link])
		}
		l := &rec.Links[m.link]
		switch {
		case m.video < 0 && l.Kind == kindVideo:
			// A video link's item is its video's outcome (marked apart).
		case m.video < 0:
			if item, ok := linkItem(l); ok {
				out = append(out, ytsum.ItemChange{JobID: rec.Job.ID, LinkIndex: pos, Item: item})
			}
		case l.Kind == kindVideo:
			v := l.Videos[m.video]
			if v.Result == nil {
				continue
			}
			at := pos
			for _, w := range l.Videos[:m.video] {
				if w.Result != nil {
					at++
				}
			}
			out = append(out, ytsum.ItemChange{JobID: rec.Job.ID, LinkIndex: at, Item: *v.Result})
		case (l.Kind == kindPlaylist || l.Kind == kindChannel) && l.Item == nil:
			v := l.Videos[m.video]
			if v.Result == nil {
				continue
			}
			at := 0
			for _, w := range l.Videos[:m.video] {
				if w.Result != nil {
					at++
				}
			}
			item := *v.Result
			item.Type = "" // a video inside a playlist or channel item
			out = append(out, ytsum.ItemChange{JobID: rec.Job.ID, LinkIndex: pos, VideoIndex: &at, Item: item})
		}
	}
	return out
}

// itemCount is how many result items link l has now.
func itemCount(l *linkState) int {
	if l.Kind == kindVideo {
		n := 0
		for _, v := range l.Videos {
			if v.Result != nil {
				n++
			}
		}
		return n
	}
	switch l.Kind {
	case kindPlaylist, kindChannel:
		return 1
	case kindError, kindAsk:
		if l.Item != nil {
			return 1
		}
	}
	return 0
}

// unfinished reports how many links are unresolved or have videos left.
func (rec *record) unfinished() int {
	n := 0
	for _, l := range rec.Links {
		if l.Kind == kindUnresolved || (l.Kind == kindAsk && l.Item == nil) {
			n++
			continue
		}
		for _, v := range l.Videos {
			if v.Result == nil {
				n++
			}
		}
	}
	return n
}

// finalize ends the job with status: every unfinished item gets an error
// saying why (why is nil only when nothing is unfinished).
func (rec *record) finalize(status ytsum.JobStatus, why *ytsum.Error, now time.Time) {
	for i := range rec.Links {
		l := &rec.Links[i]
		if l.Kind == kindUnresolved {
			item := ytsum.InputErrorResult(l.URL, orInternal(why))
			l.Kind, l.Item = kindError, &item
			rec.markLink(i)
			continue
		}
		if l.Kind == kindAsk && l.Item == nil {
			item := ytsum.AnswerResult(unanswered(rec.Job.Metadata.Ask, orInternal(why)))
			l.Item = &item
			rec.markLink(i)
			continue
		}
		for j := range l.Videos {
			v := &l.Videos[j]
			if v.Result == nil {
				rec.setVideo(i, j, ytsum.FailedVideoResult(ytsum.Video{ID: v.ID, Title: v.Title, DurationSeconds: v.DurationSeconds}, orInternal(why)), nil, true)
			}
		}
	}
	rec.Job.Status = status
	rec.Job.CompletedAt = &now
	rec.Job.CurrentItem = ""
	if status == ytsum.JobFailed {
		msg := ytsum.ErrorMessage(orInternal(why))
		rec.Job.Error = &msg
	}
	rec.markHead()
}

func orInternal(e *ytsum.Error) error {
	if e == nil {
		return errInternal
	}
	return e
}

// Part keys: zero-padded, so a job's parts sort in plan order and the next
// video's outcome lands at the end of the store's pages.
func linkKey(i int) string     { return fmt.Sprintf("l/%04d", i) }
func videoKey(i, j int) string { return fmt.Sprintf("v/%04d/%06d", i, j) }

// encodeHead returns the stored head of rec: the job without results
// (progress and total_items are rebuilt from the parts) and each link
// without its videos.
func (rec *record) encodeHead() ([]byte, error) {
	j := *rec.Job
	j.Results, j.Progress, j.TotalItems, j.CurrentItem = nil, 0, 0, ""
	c := record{Version: recordVersion, Job: &j, Options: rec.Options, Mode: rec.Mode, Interruptions: rec.Interruptions,
		Links: make([]linkState, len(rec.Links))}
	for i, l := range rec.Links {
		l.Videos = nil
		c.Links[i] = l
	}
	return json.Marshal(&c)
}

// storedVideo is a video as a part stores it: a reference instead of the
// result of a saved summary.
func storedVideo(v videoState) videoState {
	if v.Ref != nil {
		v.Result = nil
		if v.Ref.VideoID == v.ID {
			ref := *v.Ref
			ref.VideoID = ""
			v.Ref = &ref
		}
	}
	return v
}

// encodeLink returns the stored plan of link i.
func (rec *record) encodeLink(i int) ([]byte, error) {
	l := rec.Links[i]
	l.Videos = make([]videoState, len(rec.Links[i].Videos))
	for j, v := range rec.Links[i].Videos {
		l.Videos[j] = storedVideo(v)
	}
	return json.Marshal(&l)
}

// encodeVideo returns the stored outcome of video j of link i.
func (rec *record) encodeVideo(i, j int) ([]byte, error) {
	v := storedVideo(rec.Links[i].Videos[j])
	return json.Marshal(struct {
		Result  *ytsum.Result `json:"result,omitempty"`
		Ref     *summaryRef   `json:"ref,omitempty"`
		Skipped bool          `json:"skipped,omitempty"`
	}{v.Result, v.Ref, v.Skipped})
}

// encodeChanges returns what a write of rec.unsaved stores: the head when
// it changed (nil otherwise) and the touched parts.
func (rec *record) encodeChanges() (head []byte, parts map[string][]byte, err error) {
	ch := &rec.unsaved
	if ch.head {
		if head, err = rec.encodeHead(); err != nil {
			return nil, nil, err
		}
	}
	if n := len(ch.links) + len(ch.videos); n > 0 {
		parts = make(map[string][]byte, n)
	}
	for _, i := range ch.links {
		if parts[linkKey(i)], err = rec.encodeLink(i); err != nil {
			return nil, nil, err
		}
	}
	for _, t := range ch.videos {
		if parts[videoKey(t.link, t.video)], err = rec.encodeVideo(t.link, t.video); err != nil {
			return nil, nil, err
		}
	}
	return head, parts, nil
}

// loader finds saved summaries again (Summaries.SummariesByKey).
type loader func(keys []ytsum.SummaryKey) []ytsum.SummaryLookup

// errSummaryGone is the item of a finished video whose summary was removed
// from the library since.
var errSummaryGone = ytsum.Errorf(ytsum.CodeNotFound, "summary_deleted",
	"This video's summary was removed from the library after the job made it; summarize it again to see it.")

// errSummaryUnreadable is the item of a finished video whose summary could
// not be read back.
var errSummaryUnreadable = ytsum.Errorf(ytsum.CodeUnavailable, "store_unavailable",
	"This video's summary could not be read from the library; check that the data folder is readable.")

// decodeRecord reads a stored record: a version 1 record whole, or a
// version 2 head and its parts. The results of saved summaries are loaded
// through load. migrate reports a version 1 record, which the next write
// must store whole (markAll).
func decodeRecord(head []byte, parts map[string][]byte, load loader) (rec *record, migrate bool, err error) {
	rec = new(record)
	if err := json.Unmarshal(head, rec); err != nil {
		return nil, false, fmt.Errorf("jobs: decoding record: %w", err)
	}
	if rec.Job == nil || rec.Job.ID == "" {
		return nil, false, fmt.Errorf("jobs: record without a job")
	}
	if rec.Version > recordVersion {
		return nil, false, fmt.Errorf("jobs: record version %d is newer than this app (%d)", rec.Version, recordVersion)
	}
	migrate = rec.Version < 2
	rec.Job.Results = nil
	if !migrate {
		if err := rec.applyParts(parts); err != nil {
			return nil, false, err
		}
	}
	rec.Version = recordVersion
	rec.resolve(load)
	rec.refresh()
	return rec, migrate, nil
}

// applyParts lays the stored parts over the head's links: link plans
// first, then video outcomes.
func (rec *record) applyParts(parts map[string][]byte) error {
	keys := make([]string, 0, len(parts))
	for k := range parts {
		keys = append(keys, k)
	}
	slices.Sort(keys) // "l/…" before "v/…"
	for _, k := range keys {
		f := strings.Split(k, "/")
		idx := make([]int, len(f)-1)
		for n := range idx {
			var err error
			if idx[n], err = strconv.Atoi(f[n+1]); err != nil || idx[n] < 0 {
				return fmt.Errorf("jobs: bad part key %q", k)
			}
		}
		switch {
		case f[0] == "l" && len(idx) == 1 && idx[0] < len(rec.Links):
			var l linkState
			if err := json.Unmarshal(parts[k], &l); err != nil {
				return fmt.Errorf("jobs: decoding part %s: %w", k, err)
			}
			rec.Links[idx[0]] = l
		case f[0] == "v" && len(idx) == 2 && idx[0] < len(rec.Links) && idx[1] < len(rec.Links[idx[0]].Videos):
			var o struct {
				Result  *ytsum.Result `json:"result"`
				Ref     *summaryRef   `json:"ref"`
				Skipped bool          `json:"skipped"`
			}
			if err := json.Unmarshal(parts[k], &o); err != nil {
				return fmt.Errorf("jobs: decoding part %s: %w", k, err)
			}
			v := &rec.Links[idx[0]].Videos[idx[1]]
			v.Result, v.Ref, v.Skipped = o.Result, o.Ref, o.Skipped
		default:
			return fmt.Errorf("jobs: part %s does not fit the job's links", k)
		}
	}
	return nil
}

// resolve loads the result of every video stored as a reference, all
// with one call of load (a few read transactions, not one per video).
func (rec *record) resolve(load loader) {
	var (
		refs []*videoState
		keys []ytsum.SummaryKey
	)
	for i := range rec.Links {
		for j := range rec.Links[i].Videos {
			v := &rec.Links[i].Videos[j]
			if v.Ref == nil || v.Result != nil {
				continue
			}
			if v.Ref.VideoID == "" {
				v.Ref.VideoID = v.ID
			}
			refs = append(refs, v)
			keys = append(keys, ytsum.SummaryKey{VideoID: v.Ref.VideoID, CacheKey: v.Ref.CacheKey})
		}
	}
	if len(refs) == 0 {
		return
	}
	found := load(keys)
	for n, v := range refs {
		// A loader that answered fewer keys than asked did not read the
		// rest: unreadable, not deleted.
		got := ytsum.SummaryLookup{Err: errSummaryUnreadable}
		if n < len(found) {
			got = found[n]
		}
		video := ytsum.Video{ID: v.ID, Title: v.Title, DurationSeconds: v.DurationSeconds}
		var res ytsum.Result
		switch {
		case got.Err != nil:
			// Shown, not stored: the reference stays for the next read.
			res = ytsum.FailedVideoResult(video, errSummaryUnreadable)
		case got.Summary != nil:
			res = ytsum.VideoResult(got.Summary, v.Ref.Source)
		default:
			res = ytsum.FailedVideoResult(video, errSummaryGone)
		}
		v.Result = &res
	}
}

// cloneJob returns a deep copy of j that the caller owns.
func cloneJob(j *ytsum.Job) *ytsum.Job {
	c := *j
	c.Results = make([]ytsum.Result, len(j.Results))
	for i, r := range j.Results {
		if r.Summaries != nil {
			r.Summaries = append([]ytsum.Result(nil), r.Summaries...)
		}
		c.Results[i] = r
	}
	c.Metadata.URLs = append([]string(nil), j.Metadata.URLs...)
	return &c
}
