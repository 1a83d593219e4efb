package idle.shared.message;

import idle.shared.model.JobDetail;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.PoolStatus;
import idle.shared.model.SweepSummary;
import java.util.List;
import java.util.Objects;

/** What an {@code SCF} carries, depending on the request it answers. */
public sealed interface Result {
    /** Nothing beyond "done". */
    record Empty() implements Result {
    }

    /** Login succeeded: who you are, whether you are an admin, and a token to resume with. */
    record Session(String user, boolean admin, String resumeToken) implements Result {
        public Session {
            Objects.requireNonNull(user);
            Objects.requireNonNull(resumeToken);
        }
    }

    /** A submission was stored durably as {@code jobId}; {@code note} says e.g. why it waits. */
    record JobAccepted(long jobId, JobState state, String note) implements Result {
        public JobAccepted {
            Objects.requireNonNull(state);
            Objects.requireNonNull(note);
        }
    }

    /** A page of jobs; {@code more} is true when older ones exist. */
    record JobPage(List<JobSummary> jobs, boolean more) implements Result {
        public JobPage {
            jobs = List.copyOf(jobs);
        }
    }

    /** One job's details. */
    record Detail(JobDetail job) implements Result {
        public Detail {
            Objects.requireNonNull(job);
        }
    }

    /** Text for a person: a pseudonym, an admin command's output. */
    record Text(String text) implements Result {
        public Text {
            Objects.requireNonNull(text);
        }
    }

    /** The pool status. */
    record Pool(PoolStatus status) implements Result {
        public Pool {
            Objects.requireNonNull(status);
        }
    }

    /** A sweep: answers SWP, SWR and SWA. */
    record Sweep(SweepSummary sweep) implements Result {
        public Sweep {
            Objects.requireNonNull(sweep);
        }
    }

    /** A page of sweeps, newest first; {@code more} is true when older ones exist. */
    record SweepPage(List<SweepSummary> sweeps, boolean more) implements Result {
        public SweepPage {
            sweeps = List.copyOf(sweeps);
        }
    }
}
