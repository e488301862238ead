package library

import (
	"sort"
	"strings"

	"ytsum/backend/ytsum"
)

// Query selects a page of the library with filters and an order.
type Query struct {
	Offset, Limit int    // Limit <= 0: all
	Sort          string // "" or "newest" (default), "oldest", "title", "channel"
	Channel       string // only this channel (case-insensitive), when not empty
	Model         string // only summaries made by this model key, when not empty
	// IDs, when not nil, keeps only these videos (a subscription's, or the
	// ones marked new); an empty non-nil slice matches nothing.
	IDs []string
}

// Query returns the entries (one per video, its newest summary) that match
// q's filters, in q's order, and how many match. Without filters and with a
// date order it pages through the database directly; otherwise it reads
// every entry, which takes a few milliseconds per ten thousand.
func (l *Library) Query(q Query) ([]Item, int, error) {
	if q.Channel == "" && q.Model == "" && q.IDs == nil && (q.Sort == "" || q.Sort == "newest" || q.Sort == "oldest") {
		return l.ListRange(q.Offset, q.Limit, q.Sort == "oldest")
	}
	var only map[string]bool
	if q.IDs != nil {
		only = make(map[string]bool, len(q.IDs))
		for _, id := range q.IDs {
			only[id] = true
		}
	}
	var all []*ytsum.Summary
	err := l.db.ForEachLatest(func(s *ytsum.Summary) error {
		if only != nil && !only[s.ID] {
			return nil
		}
		if q.Channel != "" && !strings.EqualFold(s.Channel, q.Channel) {
			return nil
		}
		if q.Model != "" && s.Model != q.Model {
			return nil
		}
		all = append(all, s)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	less := func(i, j int) bool { return all[i].CreatedAt.After(all[j].CreatedAt) }
	switch q.Sort {
	case "oldest":
		less = func(i, j int) bool { return all[i].CreatedAt.Before(all[j].CreatedAt) }
	case "title":
		less = func(i, j int) bool { return strings.ToLower(all[i].Title) < strings.ToLower(all[j].Title) }
	case "channel":
		less = func(i, j int) bool { return strings.ToLower(all[i].Channel) < strings.ToLower(all[j].Channel) }
	}
	sort.SliceStable(all, less)
	total := len(all)
	start := min(max(q.Offset, 0), total)
	end := total
	if q.Limit > 0 {
		end = min(start+q.Limit, total)
	}
	items := make([]Item, 0, end-start)
	for _, s := range all[start:end] {
		items = append(items, Item{Summary: s})
	}
	return items, total, nil
}
