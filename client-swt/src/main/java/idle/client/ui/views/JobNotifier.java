package idle.client.ui.views;

import idle.shared.model.JobSummary;

/** Tells the user that a job finished where they cannot see it. UI thread only. */
@FunctionalInterface
public interface JobNotifier {
    void finishedOutOfSight(JobSummary job);
}
