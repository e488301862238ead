package ask

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"ytsum/backend/summarize"
	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

// VideoSource gives the videos and transcripts questions are about.
// Implementations must be safe for concurrent use (StoreSource is one).
type VideoSource interface {
	// Video returns the details of videoID; ok is false when the library
	// does not know the video.
	Video(ctx context.Context, videoID string) (v ytsum.Video, ok bool, err error)
	// Transcript returns the saved transcript of videoID, nil when none.
	Transcript(ctx context.Context, videoID string) (*ytsum.Transcript, error)
}

// Generator writes answers with a model. *summarize.Service satisfies it
// once it has a Generate method (see the package documentation).
type Generator interface {
	// Resolve checks the model of opts (the default one when empty) and
	// returns it resolved; an unknown model or one whose provider has no key
	// is an *ytsum.Error (summarize.Service.Resolve).
	Resolve(ctx context.Context, opts ytsum.SummaryOptions) (ytsum.SummaryOptions, error)
	// Generate sends req to req.Model's provider and calls onDelta (when
	// non-nil) with each piece of the answer, in order, from one goroutine
	// at a time, then returns the whole answer. It must return promptly once
	// ctx ends. Errors are *ytsum.Error with an llm Kind.
	Generate(ctx context.Context, req llm.Request, onDelta func(delta string)) (llm.Response, error)
}

// ConversationStore keeps conversations; *store.DB satisfies it.
type ConversationStore interface {
	Conversation(id string) (conv ytsum.Conversation, ok bool, err error)
	AppendTurn(id string, videoID *string, turn ytsum.Turn) (ytsum.Conversation, error)
}

// Options configure an Asker. Videos, Generator and Conversations are
// required; Library (and LibraryIndex) only for questions about the whole
// library.
type Options struct {
	Videos        VideoSource
	Generator     Generator
	Conversations ConversationStore
	// Library is the library as a source of passages; nil makes library
	// questions fail with a sentence.
	Library LibrarySource
	// LibraryIndex indexes Library; nil means an in-memory index built by
	// the first library question (OpenLibraryIndex("")).
	LibraryIndex *LibraryIndex
	// WholeTokens: a transcript of at most this many estimated tokens is
	// sent whole; 0 means 4000 (about 20 minutes of speech).
	WholeTokens int
	// BudgetTokens bounds the passages sent for a longer transcript; 0
	// means 3000.
	BudgetTokens int
	// LibraryBudgetTokens bounds the passages of a library question; 0
	// means 4000.
	LibraryBudgetTokens int
	// CachedVideos is how many videos' passage indexes are kept in memory;
	// 0 means 8.
	CachedVideos int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// NewID returns a new conversation id; nil means 16 random bytes in hex.
	NewID func() string
}

// Asker answers questions about a video or the library from its
// transcripts, with citations, and keeps the conversations. Safe for
// concurrent use.
type Asker struct {
	opts   Options
	videos *videoCache

	libMu  sync.Mutex // guards lib and ownLib
	lib    *LibraryIndex
	ownLib bool // lib was made by the Asker, which closes it
}

// Close releases the Asker's in-memory indexes (not an Options.LibraryIndex,
// which its opener closes). Asks still running may fail after it.
func (a *Asker) Close() error {
	a.videos.mu.Lock()
	for _, e := range a.videos.entries {
		a.videos.evictLocked(e)
	}
	a.videos.entries = nil
	a.videos.mu.Unlock()
	a.libMu.Lock()
	defer a.libMu.Unlock()
	if a.ownLib && a.lib != nil {
		err := a.lib.Close()
		a.lib, a.ownLib = nil, false
		return err
	}
	return nil
}

// New returns an Asker. It does no I/O.
func New(opts Options) *Asker {
	if opts.WholeTokens <= 0 {
		opts.WholeTokens = 4000
	}
	if opts.BudgetTokens <= 0 {
		opts.BudgetTokens = 3000
	}
	if opts.LibraryBudgetTokens <= 0 {
		opts.LibraryBudgetTokens = 4000
	}
	if opts.CachedVideos <= 0 {
		opts.CachedVideos = 8
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewID == nil {
		opts.NewID = newID
	}
	return &Asker{opts: opts, videos: &videoCache{max: opts.CachedVideos}, lib: opts.LibraryIndex}
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Request is one question (API.md §5 POST /ask): ytsum.AskRequest, so a
// job's metadata can keep it. An empty Scope means ytsum.ScopeVideo; an empty
// ConversationID starts a new conversation (Prepare fills in its id); an id
// not stored yet starts a conversation under that id.
type Request = ytsum.AskRequest

// MaxQuestionRunes is the length from which a question is refused.
const MaxQuestionRunes = 4000

// Error kinds of this package (ytsum.Error.Kind), besides the llm kinds a
// model's failure carries.
const (
	KindQuestionEmpty     = "question_empty"     // (invalid)
	KindQuestionTooLong   = "question_too_long"  // (invalid)
	KindBadScope          = "invalid_scope"      // (invalid) unknown scope, or a video and the library at once
	KindVideoRequired     = "video_required"     // (invalid) no video and no library scope
	KindVideoNotFound     = "video_not_found"    // (not_found) the library does not know the video
	KindNoTranscript      = llm.KindNoTranscript // (not_found) the video has no saved transcript
	KindLibraryEmpty      = "library_empty"      // (not_found) a library question with nothing in the library
	KindNoLibrary         = "library_unavailable"
	KindBadConversation   = "invalid_conversation" // (invalid) a malformed conversation id
	KindConversationScope = "conversation_scope"   // (invalid) continuing a conversation about something else
	KindCancelled         = llm.KindCancelled
)

var conversationIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Prepare checks req without calling a model and returns it normalised:
// question trimmed, scope set, model resolved (the default when empty),
// and a new conversation id when it had none. It is what a front door
// calls before it accepts the question (and answers 202 with the
// conversation id); Ask calls it again. Bad input is an *ytsum.Error whose
// Message is a sentence for the user: an empty question or one of
// MaxQuestionRunes characters or more, an unknown scope, an unknown video
// (not_found), a video without transcript (not_found, kind
// "no_transcript": offer to fetch it), an unknown model or one without key
// (from the Generator). Prepare stores nothing.
func (a *Asker) Prepare(ctx context.Context, req Request) (Request, error) {
	req.Question = strings.TrimSpace(req.Question)
	req.VideoID = strings.TrimSpace(req.VideoID)
	req.Scope = strings.ToLower(strings.TrimSpace(req.Scope))
	if req.Question == "" {
		return req, ytsum.Errorf(ytsum.CodeInvalid, KindQuestionEmpty, "Type a question first.")
	}
	if n := utf8.RuneCountInString(req.Question); n >= MaxQuestionRunes {
		return req, ytsum.Errorf(ytsum.CodeInvalid, KindQuestionTooLong,
			"The question is too long (%d characters); keep it under %d characters.", n, MaxQuestionRunes)
	}
	switch req.Scope {
	case "", ytsum.ScopeVideo:
		req.Scope = ytsum.ScopeVideo
		if req.VideoID == "" {
			return req, ytsum.Errorf(ytsum.CodeInvalid, KindVideoRequired,
				"Choose a video to ask about, or ask your whole library.")
		}
	case ytsum.ScopeLibrary:
		if req.VideoID != "" {
			return req, ytsum.Errorf(ytsum.CodeInvalid, KindBadScope,
				"Ask either about one video or about your whole library, not both at once.")
		}
		if a.opts.Library == nil {
			return req, ytsum.Errorf(ytsum.CodeUnavailable, KindNoLibrary,
				"Questions about the whole library are not available here; ask about one video instead.")
		}
	default:
		return req, ytsum.Errorf(ytsum.CodeInvalid, KindBadScope,
			"Unknown scope %q; ask about a video, or use the scope \"library\".", req.Scope)
	}
	if req.Scope == ytsum.ScopeVideo {
		if _, err := a.transcript(ctx, req.VideoID); err != nil {
			return req, err
		}
	}
	o, err := a.opts.Generator.Resolve(ctx, ytsum.SummaryOptions{Model: strings.TrimSpace(req.Model)})
	if err != nil {
		return req, err
	}
	req.Model = o.Model
	if req.ConversationID == "" {
		req.ConversationID = a.opts.NewID()
	} else {
		if !conversationIDRe.MatchString(req.ConversationID) {
			return req, ytsum.Errorf(ytsum.CodeInvalid, KindBadConversation,
				"That conversation id is not valid; leave it out to start a new conversation.")
		}
		conv, ok, err := a.opts.Conversations.Conversation(req.ConversationID)
		if err != nil {
			return req, err
		}
		if ok && !sameScope(conv.VideoID, req) {
			return req, ytsum.Errorf(ytsum.CodeInvalid, KindConversationScope,
				"That conversation is about something else; start a new conversation for this question.")
		}
	}
	return req, nil
}

func sameScope(convVideo *string, req Request) bool {
	if req.Scope == ytsum.ScopeLibrary {
		return convVideo == nil
	}
	return convVideo != nil && *convVideo == req.VideoID
}

// transcript returns the usable transcript of a known video, or the
// not_found sentences.
func (a *Asker) transcript(ctx context.Context, videoID string) (*videoInfo, error) {
	v, ok, err := a.opts.Videos.Video(ctx, videoID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ytsum.Errorf(ytsum.CodeNotFound, KindVideoNotFound,
			"That video is not in your library; summarize it first, then ask about it.")
	}
	tr, err := a.opts.Videos.Transcript(ctx, videoID)
	if err != nil {
		return nil, err
	}
	if !hasText(tr) {
		return nil, ytsum.Errorf(ytsum.CodeNotFound, KindNoTranscript,
			"This video has no saved transcript, so there is nothing to answer from; fetch its transcript (summarize it again), then ask.")
	}
	if tr.VideoID == "" {
		c := *tr
		c.VideoID = videoID
		tr = &c
	}
	return &videoInfo{video: v, transcript: tr}, nil
}

type videoInfo struct {
	video      ytsum.Video
	transcript *ytsum.Transcript
}

// Ask answers req (checked with Prepare first), calling onDelta (when
// non-nil) with the answer's text as it is written, from one goroutine at a
// time. A follow-up (a ConversationID already stored) carries the last
// turns of its conversation. The answer's citations are checked against the
// passages the model was given: a citation to a time no passage covers is
// removed. With the "local" model the answer is an extract: the passages
// that best match the question, in time order, with their times.
//
// A successful answer is appended to the conversation (stored, synced)
// before Ask returns; nothing is stored on failure. On failure the returned
// Answer still carries the question, the video, the conversation id and
// the error sentence, ready to be the job's result item, and err is an
// *ytsum.Error (kind "cancelled" when ctx ended).
func (a *Asker) Ask(ctx context.Context, req Request, onDelta func(delta string)) (ytsum.Answer, error) {
	ans := ytsum.Answer{Type: ytsum.ResultAnswer, Question: strings.TrimSpace(req.Question), Citations: []ytsum.Citation{}}
	if req.Scope != ytsum.ScopeLibrary && strings.TrimSpace(req.VideoID) != "" {
		v := strings.TrimSpace(req.VideoID)
		ans.VideoID = &v
	}
	fail := func(err error) (ytsum.Answer, error) {
		if ctx.Err() != nil {
			err = ytsum.Wrap(context.Cause(ctx), ytsum.CodeUnavailable, KindCancelled, "The question was cancelled.")
		}
		msg := ytsum.ErrorMessage(err)
		ans.Error, ans.ErrorKind = &msg, ytsum.ErrorKind(err)
		return ans, err
	}
	req, err := a.Prepare(ctx, req)
	if err != nil {
		return fail(err)
	}
	ans.Question, ans.ModelUsed, ans.ConversationID = req.Question, req.Model, req.ConversationID

	var history []ytsum.Turn
	conv, ok, err := a.opts.Conversations.Conversation(req.ConversationID)
	if err != nil {
		return fail(err)
	}
	if ok {
		history = boundHistory(conv.Turns)
	}
	previous := ""
	if len(history) > 0 {
		previous = history[len(history)-1].Question
	}
	offline := req.Model == summarize.ModelLocal

	var in promptInput
	var sources []citeSource
	if req.Scope == ytsum.ScopeLibrary {
		in, sources, err = a.libraryPassages(ctx, req.Question, previous, offline)
	} else {
		in, sources, err = a.videoPassages(ctx, req.VideoID, req.Question, previous, offline)
	}
	if err != nil {
		return fail(err)
	}
	in.Question, in.History = req.Question, history
	for _, v := range in.Videos {
		ans.Videos = append(ans.Videos, ytsum.AnswerSource{VideoID: v.Video.ID, Title: v.Video.Title, Label: v.Label})
	}

	var text string
	if offline {
		ans.Extract = true
		text = extract(in)
		for _, para := range strings.SplitAfter(text, "\n\n") {
			if onDelta != nil && para != "" {
				onDelta(para)
			}
			if ctx.Err() != nil {
				return fail(ctx.Err())
			}
		}
	} else {
		system, prompt := buildPrompt(in)
		resp, err := a.opts.Generator.Generate(ctx, llm.Request{Model: req.Model, System: system, Prompt: prompt}, onDelta)
		if err != nil {
			return fail(err)
		}
		text = strings.TrimSpace(resp.Text)
		if text == "" {
			return fail(ytsum.Errorf(ytsum.CodeUnavailable, llm.KindEmptyAnswer,
				"The model answered nothing; try again or choose another model."))
		}
	}
	ans.Answer, ans.Citations = checkCitations(text, sources)
	if ctx.Err() != nil {
		return fail(ctx.Err())
	}
	turn := ytsum.Turn{Question: req.Question, Answer: ans.Answer, Citations: ans.Citations, ModelUsed: req.Model,
		AskedAt: a.opts.Now().UTC(), Videos: ans.Videos}
	if _, err := a.opts.Conversations.AppendTurn(req.ConversationID, ans.VideoID, turn); err != nil {
		return fail(fmt.Errorf("ask: saving the conversation: %w", err))
	}
	return ans, nil
}

// videoPassages retrieves the passages of one video for question.
func (a *Asker) videoPassages(ctx context.Context, videoID, question, previous string, offline bool) (promptInput, []citeSource, error) {
	info, err := a.transcript(ctx, videoID)
	if err != nil {
		return promptInput{}, nil, err
	}
	vi, err := a.videos.get(info.transcript, a.opts.WholeTokens)
	if err != nil {
		return promptInput{}, nil, ytsum.Wrap(err, ytsum.CodeInternal, "ask_index",
			"The transcript could not be searched; try again.")
	}
	r, err := retrieve(ctx, vi, question, previous, a.opts.BudgetTokens, offline)
	a.videos.release(vi)
	if err != nil {
		return promptInput{}, nil, indexErr(err, "searching the transcript")
	}
	v := info.video
	if v.ID == "" {
		v.ID = videoID
	}
	pv := promptVideo{Video: v, Passages: r.passages, Whole: r.whole, Total: len(vi.passages)}
	return promptInput{Videos: []promptVideo{pv}},
		[]citeSource{{videoID: videoID, passages: r.passages}}, nil
}

// Library retrieval bounds: how many passages are searched for, and from
// how many videos an answer draws.
const (
	libraryHits      = 40
	maxLibraryVideos = 5
)

// libraryPassages retrieves the best passages of the whole library.
func (a *Asker) libraryPassages(ctx context.Context, question, previous string, offline bool) (promptInput, []citeSource, error) {
	li, err := a.libraryIndex()
	if err != nil {
		return promptInput{}, nil, err
	}
	if _, err := li.Sync(ctx, a.opts.Library); err != nil {
		if ytsum.ErrorCode(err) != "" && ytsum.ErrorKind(err) != "" {
			return promptInput{}, nil, err
		}
		return promptInput{}, nil, indexErr(err, "updating the library index")
	}
	if li.Videos() == 0 {
		return promptInput{}, nil, ytsum.Errorf(ytsum.CodeNotFound, KindLibraryEmpty,
			"Your library is empty; summarize some videos first, then ask about them.")
	}
	hits, err := li.search(ctx, question, previous, libraryHits)
	if err != nil {
		return promptInput{}, nil, indexErr(err, "searching the library")
	}
	type entry struct {
		doc      Document
		passages []Passage
		summary  []string
		chosen   map[int]bool
		sumPick  map[int]bool
		label    string
	}
	var order []string
	entries := map[string]*entry{}
	budget := a.opts.LibraryBudgetTokens
	used := 0
	extractLeft := maxExtract + 2
	for _, h := range hits {
		e := entries[h.videoID]
		if e == nil {
			if len(order) >= maxLibraryVideos {
				continue
			}
			doc, ok, err := a.opts.Library.Document(ctx, h.videoID)
			if err != nil {
				return promptInput{}, nil, err
			}
			if !ok {
				continue
			}
			if doc.Video.ID == "" {
				doc.Video.ID = h.videoID
			}
			e = &entry{doc: doc, passages: Passages(doc.Transcript), summary: summaryPassages(doc.Summary),
				chosen: map[int]bool{}, sumPick: map[int]bool{}}
			entries[h.videoID] = e
			order = append(order, h.videoID)
		}
		add := func(i int) bool {
			if i < 0 || i >= len(e.passages) || e.chosen[i] || used+e.passages[i].Tokens > budget {
				return false
			}
			e.chosen[i] = true
			used += e.passages[i].Tokens
			return true
		}
		switch h.kind {
		case kindTranscript:
			if offline {
				if extractLeft > 0 && add(h.index) {
					extractLeft--
				}
				continue
			}
			add(h.index)
			add(h.index - 1)
			add(h.index + 1)
		case kindSummary:
			if h.index < len(e.summary) && !e.sumPick[h.index] {
				if t := tokenCost(e.summary[h.index]); used+t <= budget && (!offline || extractLeft > 0) {
					e.sumPick[h.index] = true
					used += t
					extractLeft--
				}
			}
		}
	}
	var in promptInput
	in.Library = true
	var sources []citeSource
	for _, id := range order {
		e := entries[id]
		if len(e.chosen) == 0 && len(e.sumPick) == 0 {
			continue
		}
		label := fmt.Sprintf("V%d", len(in.Videos)+1)
		pv := promptVideo{Label: label, Video: e.doc.Video, Total: len(e.passages)}
		for i := range e.passages {
			if e.chosen[i] {
				pv.Passages = append(pv.Passages, e.passages[i])
			}
		}
		var picks []int
		for i := range e.sumPick {
			picks = append(picks, i)
		}
		sort.Ints(picks)
		for _, i := range picks {
			pv.Summary = append(pv.Summary, e.summary[i])
		}
		in.Videos = append(in.Videos, pv)
		sources = append(sources, citeSource{label: label, videoID: id, passages: pv.Passages})
	}
	return in, sources, nil
}

func tokenCost(s string) int { return summarize.EstimateTokens(s) + 6 }

func (a *Asker) libraryIndex() (*LibraryIndex, error) {
	a.libMu.Lock()
	defer a.libMu.Unlock()
	if a.lib == nil {
		li, err := OpenLibraryIndex("")
		if err != nil {
			return nil, err
		}
		a.lib, a.ownLib = li, true
	}
	return a.lib, nil
}

// SyncLibrary brings the library index up to date (it is otherwise
// updated before each library question). Call it in the background after
// start-up so that the first library question does not wait for a large
// library to be indexed.
func (a *Asker) SyncLibrary(ctx context.Context) (SyncReport, error) {
	if a.opts.Library == nil {
		return SyncReport{}, nil
	}
	li, err := a.libraryIndex()
	if err != nil {
		return SyncReport{}, err
	}
	return li.Sync(ctx, a.opts.Library)
}

// extract writes the offline answer: the passages themselves.
func extract(in promptInput) string {
	var b strings.Builder
	any := false
	for _, v := range in.Videos {
		if len(v.Passages) > 0 || len(v.Summary) > 0 {
			any = true
		}
	}
	if !any {
		if in.Library {
			return "Your library doesn't say anything that matches this question. The offline model can only quote passages that contain the question's words; try other words, or choose an online model."
		}
		return "The video doesn't say anything that matches this question. The offline model can only quote passages that contain the question's words; try other words, or choose an online model."
	}
	if in.Library {
		b.WriteString("This is an extract from your library, not a written answer: the offline model quotes the passages that best match your question.")
	} else {
		b.WriteString("This is an extract from the transcript, not a written answer: the offline model quotes the passages that best match your question, in the order they are said.")
	}
	for _, v := range in.Videos {
		if in.Library {
			title := v.Video.Title
			if title == "" {
				title = v.Video.ID
			}
			fmt.Fprintf(&b, "\n\n**%s** (%s)", title, v.Label)
			for _, s := range v.Summary {
				fmt.Fprintf(&b, "\n\nFrom its summary: %s", oneLine(s))
			}
		}
		for _, p := range v.Passages {
			mark := "[" + ytsum.Timestamp(p.Start) + "]"
			if v.Label != "" {
				mark = "[" + v.Label + " " + ytsum.Timestamp(p.Start) + "]"
			}
			fmt.Fprintf(&b, "\n\n%s %s", mark, oneLine(p.Text))
		}
	}
	return b.String()
}

func hasText(tr *ytsum.Transcript) bool {
	if tr == nil {
		return false
	}
	for _, s := range tr.Segments {
		if strings.TrimSpace(s.Text) != "" {
			return true
		}
	}
	return false
}
