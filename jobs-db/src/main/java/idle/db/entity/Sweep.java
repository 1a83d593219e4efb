package idle.db.entity;

import idle.shared.model.JobNeeds;
import jakarta.persistence.Basic;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Lob;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.util.ArrayList;
import java.util.List;

/**
 * A sweep: one script run as many tasks, each task a {@link Job} that names the sweep
 * ({@code Job.getSweepId()}). The script is stored here once, not in the tasks' rows. Times are
 * epoch milliseconds, {@code finishedAt} 0 until every task ended; the end counts are written
 * then (while the sweep runs, its tasks' rows are the truth).
 */
@Entity
@Table(name = "SWEEP", indexes = @Index(name = "SWEEP_OWNER_IX", columnList = "OWNER_NAME, ID"))
public class Sweep {
    @Id
    @SequenceGenerator(name = "SWEEP_SEQ", sequenceName = "SWEEP_SEQ", allocationSize = 10)
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "SWEEP_SEQ")
    @Column(name = "ID")
    private long id;

    @Column(name = "OWNER_NAME", nullable = false, length = 200)
    private String ownerName;

    @Column(name = "SCRIPT_NAME", nullable = false, length = Job.MAX_SCRIPT_NAME)
    private String scriptName = "";

    @Column(name = "SCRIPT_SHA256", nullable = false, length = 64)
    private String scriptSha256 = "";

    @Lob
    @Basic(fetch = FetchType.EAGER)
    @Column(name = "SCRIPT", length = 16 * 1024 * 1024)
    private byte[] script = new byte[0];

    /** Names of the input files every task gets (stored once for the sweep). */
    @Lob
    @Convert(converter = StringListConverter.class)
    @Column(name = "SHARED_INPUTS", columnDefinition = "CLOB")
    private List<String> sharedInputs = new ArrayList<>();

    @Column(name = "MIN_PYTHON", nullable = false, length = 20)
    private String minPython = "";

    @Column(name = "MEMORY_MB", nullable = false)
    private int memoryMb;

    @Column(name = "TIMEOUT_SECONDS", nullable = false)
    private int timeoutSeconds;

    /** The declared number of tasks (what a task sees as IDLE_TASK_COUNT). */
    @Column(name = "TASK_COUNT", nullable = false)
    private int taskCount;

    /** The tasks stored so far. */
    @Column(name = "TASKS", nullable = false)
    private int tasks;

    /** 1 while the runner may still send tasks. */
    @Column(name = "OPEN_FLAG", nullable = false)
    private short open = 1;

    @Column(name = "SUBMITTED_AT", nullable = false)
    private long submittedAt;

    @Column(name = "FINISHED_AT", nullable = false)
    private long finishedAt;

    @Column(name = "SUCCEEDED", nullable = false)
    private int succeeded;

    @Column(name = "FAILED", nullable = false)
    private int failed;

    @Column(name = "CANCELLED", nullable = false)
    private int cancelled;

    /** The sweep whose unsuccessful tasks this one runs again; 0 for none. */
    @Column(name = "RETRY_OF", nullable = false)
    private long retryOf;

    /** The sweep whose stored input files the tasks read (itself, or the one it retries). */
    @Column(name = "INPUTS_OF", nullable = false)
    private long inputsOf;

    public Sweep() {
    }

    /** A new open sweep with no tasks yet, ready to be added. */
    public Sweep(String ownerName, String scriptName, String scriptSha256, byte[] script,
            List<String> sharedInputs, JobNeeds needs, int taskCount, long submittedAt) {
        this.ownerName = ownerName;
        this.scriptName = scriptName.length() > Job.MAX_SCRIPT_NAME
                ? scriptName.substring(0, Job.MAX_SCRIPT_NAME) : scriptName;
        this.scriptSha256 = scriptSha256;
        this.script = script;
        this.sharedInputs = new ArrayList<>(sharedInputs);
        this.minPython = needs.minPython();
        this.memoryMb = needs.memoryMb();
        this.timeoutSeconds = needs.timeoutSeconds();
        this.taskCount = taskCount;
        this.submittedAt = submittedAt;
    }

    public long getId() {
        return id;
    }

    public String getOwnerName() {
        return ownerName;
    }

    public String getScriptName() {
        return scriptName;
    }

    public String getScriptSha256() {
        return scriptSha256;
    }

    /** The script; empty in rows read by listings ({@code SweepRepository.scriptOf} reads it). */
    public byte[] getScript() {
        return script == null ? new byte[0] : script;
    }

    public List<String> getSharedInputs() {
        return sharedInputs == null ? List.of() : List.copyOf(sharedInputs);
    }

    public JobNeeds getNeeds() {
        return new JobNeeds(minPython, memoryMb, timeoutSeconds);
    }

    public int getTaskCount() {
        return taskCount;
    }

    public int getTasks() {
        return tasks;
    }

    public void setTasks(int tasks) {
        this.tasks = tasks;
    }

    public boolean isOpen() {
        return open != 0;
    }

    public void setOpen(boolean open) {
        this.open = (short) (open ? 1 : 0);
    }

    public long getSubmittedAt() {
        return submittedAt;
    }

    public long getFinishedAt() {
        return finishedAt;
    }

    public int getSucceeded() {
        return succeeded;
    }

    public int getFailed() {
        return failed;
    }

    public int getCancelled() {
        return cancelled;
    }

    /** Records the end: every task ended at {@code finishedAt} with these counts. */
    public void setFinished(long finishedAt, int succeeded, int failed, int cancelled) {
        this.finishedAt = finishedAt;
        this.succeeded = succeeded;
        this.failed = failed;
        this.cancelled = cancelled;
    }

    public long getRetryOf() {
        return retryOf;
    }

    public long getInputsOf() {
        return inputsOf;
    }

    /** Makes this sweep a retry of {@code retryOf}, reading the inputs of {@code inputsOf}. */
    public void setRetryOf(long retryOf, long inputsOf) {
        this.retryOf = retryOf;
        this.inputsOf = inputsOf;
    }

    /** For a sweep that reads its own inputs: call once its id is known. */
    public void setInputsOf(long inputsOf) {
        this.inputsOf = inputsOf;
    }

    @Override
    public String toString() {
        return "Sweep[" + id + " " + ownerName + " " + scriptName + " " + tasks + "/" + taskCount
                + "]";
    }
}
