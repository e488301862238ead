package main

import "ytsum/backend/httpapi"

// Ask asks a question about a video or the library, as POST /ask does
// (async): the answer streams as summary_delta events of the returned job
// and is its one result. Bad input is the error, nothing stored.
func (a *App) Ask(req httpapi.AskRequest) (httpapi.AskAccepted, error) {
	return a.api.Ask(a.callCtx(), req)
}

// AskNow asks and waits for the answer, as POST /ask with force_sync does.
func (a *App) AskNow(req httpapi.AskRequest) (httpapi.AskAnswered, error) {
	return a.api.AskNow(a.callCtx(), req)
}

// Conversations lists the conversations about a video ("" for those about
// the library), newest first, as GET /conversations?video_id= does.
func (a *App) Conversations(videoID string) (httpapi.ConversationList, error) {
	return a.api.Conversations(a.callCtx(), videoID)
}

// DeleteConversation deletes one conversation, as DELETE
// /conversations/{id} does.
func (a *App) DeleteConversation(id string) (httpapi.ConversationDeleted, error) {
	return a.api.DeleteConversation(a.callCtx(), id)
}
