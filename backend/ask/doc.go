// Package ask answers questions about one video, or about the whole
// library, from the saved transcripts, with "[mm:ss]" citations that are
// checked against what the model was shown (API.md §5 POST /ask,
// GET /conversations; issue 18).
//
// # How a question is answered
//
//  1. Passages: the transcript is cut into timed passages of about a minute
//     (45–90 s, at most 220 words; Passages).
//  2. Retrieval: a transcript of at most Options.WholeTokens (4,000) is sent
//     whole. A longer one gets an in-memory bleve index of its passages
//     (BM25; the last Options.CachedVideos videos' indexes are kept) and
//     the question — plus, boosted lower, the previous question of the
//     conversation — retrieves the best passages, each with its neighbours,
//     within Options.BudgetTokens (3,000). A question that matches nothing
//     gets passages spread evenly over the video.
//  3. Prompt: the model is told to answer only from the passages, to put
//     the time after each claim, and that "The video doesn't say." is a
//     valid answer; the last four turns of the conversation come along,
//     clipped. PromptVersion names the prompts.
//  4. Citations: every "[mm:ss]" / "[h:mm:ss]" (or "[V2 12:34]" in a library
//     answer) of the answer is checked: a time that no passage given to the
//     model covers is removed from the answer and never reported; a kept one
//     becomes {video_id, start_seconds, quote} with the words said there.
//  5. Offline: with the "local" model no model is called; the answer is the
//     best passages themselves, in time order, with their times, saying
//     that it is an extract (Answer.Extract).
//  6. Library: a LibraryIndex holds the passages of every transcript and
//     summary of the library, updated incrementally (Sync) from a
//     LibrarySource before each library question; the best passages of up
//     to five videos are labelled V1…V5 and Answer.Videos says which
//     videos the answer drew on.
//  7. Conversations: a successful answer is appended to its conversation in
//     the database (store.DB.AppendTurn) before Ask returns; nothing is
//     stored for bad input, a failure or a cancel. Markdown renders a
//     video's conversations for its export.
//
// # Wiring (package main)
//
//	src := ask.StoreSource{DB: db}
//	li, err := ask.OpenLibraryIndex(filepath.Join(dataDir, ask.DirName)) // or "" for memory
//	asker := ask.New(ask.Options{Videos: src, Library: src, LibraryIndex: li,
//		Generator: summarizer, Conversations: db})
//	go asker.SyncLibrary(ctx) // index the library in the background at start
//
// The Generator is *summarize.Service once it has this method (it reuses the
// service's registry, keys, per-provider limits and retries):
//
//	func (s *Service) Generate(ctx context.Context, req llm.Request, onDelta func(string)) (llm.Response, error) {
//		s.refresh(ctx)
//		r, err := s.lookup(req.Model)
//		if err != nil {
//			return llm.Response{}, err
//		}
//		if !s.configured(r.Provider) {
//			return llm.Response{}, keyMissing(r.Provider)
//		}
//		req.Model = r.apiModel
//		resp, err := s.call(ctx, s.providers[r.Provider], req, onDelta)
//		if err != nil && ctx.Err() != nil {
//			return resp, llm.Cancelled(ctx)
//		}
//		return resp, err
//	}
//
// A front door calls Prepare (bad input → its error, nothing stored; the
// returned Request carries the conversation id for the 202), then runs a
// job of type ytsum.JobTypeAsk whose work is Ask(ctx, req, onDelta), each
// delta sent as a summary_delta event, and whose one result item is
// ytsum.AnswerResult(answer) — also on failure, where the Answer carries the
// error sentence. GET /conversations?video_id= is
// db.Conversations(&videoID, 0) (nil for the library's); a video's export
// appends ask.Markdown(convs); deleting a video may call
// db.DeleteConversationsOf(videoID).
//
// Everything here is safe for concurrent use. Errors are *ytsum.Error.
package ask
