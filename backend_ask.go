package main

// The question service (issue 18), opened by the wiring page: the asker
// over the store (videos, transcripts, summaries, conversations) and the
// summarizer (models), with the library's passage index on disk beside the
// database. Ask jobs run on the job engine (jobs/ask.go).

import (
	"context"
	"path/filepath"

	"ytsum/backend/ask"
)

// openAsk builds the asker and starts indexing the library in the
// background (a failure there is logged; library questions index what is
// missing themselves). A library index that cannot be opened falls back
// to one in memory.
func (s *Backend) openAsk() {
	src := ask.StoreSource{DB: s.db}
	li, err := ask.OpenLibraryIndex(filepath.Join(s.env.DataDir, ask.DirName))
	if err != nil {
		s.log.Warn("ask: the library's passage index cannot be opened; using one in memory", "err", err)
		li = nil
	}
	s.askIndex = li
	s.asker = ask.New(ask.Options{Videos: src, Library: src, LibraryIndex: li, Generator: s.sum, Conversations: s.db})
	ctx, cancel := context.WithCancel(context.Background())
	s.askStop = cancel
	s.askSynced = make(chan struct{})
	go func() {
		defer close(s.askSynced)
		if _, err := s.asker.SyncLibrary(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("ask: indexing the library for questions", "err", err)
		}
	}()
}

// closeAsk stops the background indexing and closes the asker and its
// index (after the engine stopped, before the database closes).
func (s *Backend) closeAsk() error {
	if s.askStop != nil {
		s.askStop()
		<-s.askSynced
	}
	var err error
	if s.asker != nil {
		err = s.asker.Close()
	}
	if s.askIndex != nil {
		if cerr := s.askIndex.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// askAppendix is a video's conversations as Markdown, for its export.
func (s *Backend) askAppendix(videoID string) string {
	convs, err := s.db.Conversations(&videoID, 0)
	if err != nil {
		s.log.Warn("ask: reading conversations for an export", "video_id", videoID, "err", err)
		return ""
	}
	return ask.Markdown(convs)
}
