package store

import "ytsum/backend/ytsum"

// summariesPerView is how many summaries SummariesByKey reads in one read
// transaction. A read transaction holds bbolt's mmap lock, which a write
// that grows the file waits for, so a job of thousands of videos is read in
// bounded chunks rather than in one long transaction.
const summariesPerView = 500

// SummariesByKey reads the summaries named by keys, summariesPerView of
// them per read transaction: out[i] is what keys[i] found (Summary nil when
// there is none; Err when it could not be decoded, or when the transaction
// reading it failed).
func (db *DB) SummariesByKey(keys []ytsum.SummaryKey) []ytsum.SummaryLookup {
	out := make([]ytsum.SummaryLookup, len(keys))
	for lo := 0; lo < len(keys); lo += summariesPerView {
		hi := min(lo+summariesPerView, len(keys))
		err := db.View(func(tx *Tx) error {
			for i := lo; i < hi; i++ {
				s, ok, err := tx.Summary(keys[i].VideoID, keys[i].CacheKey)
				if !ok {
					s = nil
				}
				out[i] = ytsum.SummaryLookup{Summary: s, Err: err}
			}
			return nil
		})
		if err != nil {
			for i := lo; i < hi; i++ {
				out[i] = ytsum.SummaryLookup{Err: err}
			}
		}
	}
	return out
}
