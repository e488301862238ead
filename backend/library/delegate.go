package library

// The job engine's store interface (package jobs) is the job records plus
// PutSummary and Summary; these delegations let *Library satisfy it alone,
// so that summaries saved by jobs are indexed and get thumbnails.

// PutJob stores a job record (see store.DB.PutJob).
func (l *Library) PutJob(id string, record []byte) error { return l.db.PutJob(id, record) }

// Job returns a job record; not_found when missing (see store.DB.Job).
func (l *Library) Job(id string) ([]byte, error) { return l.db.Job(id) }

// ForEachJob calls fn with every job record (see store.DB.ForEachJob).
func (l *Library) ForEachJob(fn func(id string, record []byte) error) error {
	return l.db.ForEachJob(fn)
}

// DeleteJob removes a job record (see store.DB.DeleteJob).
func (l *Library) DeleteJob(id string) error { return l.db.DeleteJob(id) }
