import { useEffect } from 'preact/hooks';
import { useStore } from '../lib/store';
import { useServices } from './context';
import { lazy } from './lazy';

// A job's card (with the video cards and their Markdown renderer, the largest code of the
// app) loads when the first job is shown, not at every start: an empty list needs none of it.
const JobCard = lazy(() => import('./JobCard').then((m) => m.JobCard));

/** The Jobs panel of the Summarize screen: this window's and earlier jobs, newest first. */
export function JobList() {
  const { jobs } = useServices();
  const st = useStore(jobs);
  // Jobs started in another tab or by the CLI show up while this list is on screen.
  useEffect(() => jobs.follow(), []);
  return (
    <section class="panel" aria-labelledby="jobs-h">
      <h2 id="jobs-h">Jobs</h2>
      {st.loadError && <p class="error" role="alert">Could not load earlier jobs: {st.loadError}</p>}
      {st.loaded && !st.order.length && <p class="muted">No jobs yet. Paste links above to start one.</p>}
      <div class="jobs">
        {st.order.map((id) => st.byId[id] && <JobCard key={id} view={st.byId[id]!} />)}
      </div>
    </section>
  );
}
