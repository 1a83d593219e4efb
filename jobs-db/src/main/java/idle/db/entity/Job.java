package idle.db.entity;

import idle.shared.model.JobNeeds;
import idle.shared.model.JobState;
import idle.shared.model.Limit;
import idle.shared.model.ModuleNeed;
import idle.shared.model.OutputFileInfo;
import jakarta.persistence.Basic;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
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
 * A submitted job and everything the server records about it. Times are epoch milliseconds, 0 when
 * not reached yet. Owner and lender are plain names (no relationships). Ids are generated from a
 * sequence when the job is added and grow with submission order (gaps are possible).
 */
@Entity
// open jobs (STATE_OPEN 1) and the replicas of a verified job (VERIFY_OF) in one index: one entry
// per job for the group-commit writer to add, not two
@Table(name = "JOB", indexes = @Index(name = "JOB_OPEN_VERIFY_IX",
        columnList = "STATE_OPEN, VERIFY_OF, ID"))
// Database also creates JOB_SWEEP_IX (SWEEP_ID, OWNER_NAME, ID DESC).
public class Job {
    /** Longest script name kept (longer ones are cut). */
    public static final int MAX_SCRIPT_NAME = 1000;
    /** Longest failure reason kept (longer ones are cut). */
    public static final int MAX_REASON = 4000;

    @Id
    @SequenceGenerator(name = "JOB_SEQ", sequenceName = "JOB_SEQ", allocationSize = 100)
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "JOB_SEQ")
    @Column(name = "ID")
    private long id;

    @Column(name = "OWNER_NAME", nullable = false, length = 200)
    private String ownerName;

    @Column(name = "SCRIPT_NAME", nullable = false, length = MAX_SCRIPT_NAME)
    private String scriptName = "";

    @Column(name = "SCRIPT_SHA256", nullable = false, length = 64)
    private String scriptSha256 = "";

    @Lob
    @Basic(fetch = FetchType.EAGER)
    @Column(name = "SCRIPT", length = 16 * 1024 * 1024)
    private byte[] script = new byte[0];

    @Lob
    @Convert(converter = StringListConverter.class)
    @Column(name = "ARGS", columnDefinition = "CLOB")
    private List<String> args = new ArrayList<>();

    @Lob
    @Convert(converter = StringListConverter.class)
    @Column(name = "INPUT_NAMES", columnDefinition = "CLOB")
    private List<String> inputNames = new ArrayList<>();

    @Enumerated(EnumType.STRING)
    @Column(name = "JOB_STATE", nullable = false, length = 20)
    private JobState state = JobState.QUEUED;

    /**
     * 1 while the job is QUEUED or RUNNING, 0 once it ended; follows the state (see
     * {@link #setState}). The index on it finds the open jobs at a restart, and unlike an index on
     * the state it changes once per job (at its end), not at every state change: an UPDATE that
     * leaves an index key as it was costs Derby no index work.
     */
    @Column(name = "STATE_OPEN", nullable = false)
    private short stateOpen = 1;

    @Column(name = "ATTEMPTS", nullable = false)
    private int attempts;

    @Column(name = "LENDER_PSEUDONYM", length = 200)
    private String lenderPseudonym;

    @Column(name = "SUBMITTED_AT", nullable = false)
    private long submittedAt;

    @Column(name = "STARTED_AT", nullable = false)
    private long startedAt;

    @Column(name = "FINISHED_AT", nullable = false)
    private long finishedAt;

    @Column(name = "EXIT_CODE")
    private Integer exitCode;

    @Enumerated(EnumType.STRING)
    @Column(name = "LIMIT_HIT", length = 20)
    private Limit limitHit;

    @Column(name = "FAILURE_REASON", length = MAX_REASON)
    private String failureReason;

    @Column(name = "OUTPUT_BYTES", nullable = false)
    private long outputBytes;

    @Column(name = "OUTPUT_SHA256", length = 64)
    private String outputSha256;

    @Column(name = "CPU_MILLIS", nullable = false)
    private long cpuMillis;

    @Lob
    @Convert(converter = OutputFilesConverter.class)
    @Column(name = "OUTPUT_FILES", columnDefinition = "CLOB")
    private List<OutputFileInfo> outputFiles = new ArrayList<>();

    @Column(name = "MIN_PYTHON", nullable = false, length = 20)
    private String minPython = "";

    @Column(name = "MEMORY_MB", nullable = false)
    private int memoryMb;

    @Column(name = "TIMEOUT_SECONDS", nullable = false)
    private int timeoutSeconds;

    /** The module needs, each as its requirement text ({@code numpy>=1.24}); see ModuleNeed. */
    @Lob
    @Convert(converter = StringListConverter.class)
    @Column(name = "MODULE_NEEDS", columnDefinition = "CLOB")
    private List<String> moduleNeeds = new ArrayList<>();

    /** The sweep this job is a task of ({@link Sweep}), 0 for a job of its own. */
    // a default, so that rows written without it (older tools, plain JDBC) are jobs of their own
    @Column(name = "SWEEP_ID", nullable = false, columnDefinition = "BIGINT DEFAULT 0 NOT NULL")
    private long sweepId;

    /** The task's index in its sweep; 0 for a job of its own. */
    @Column(name = "TASK_INDEX", nullable = false, columnDefinition = "INTEGER DEFAULT 0 NOT NULL")
    private int taskIndex;

    /**
     * For a replica of a verified job: the id of the job it is a replica of (whose owner sees
     * only that job); 0 for every other job. Set before the job is added, never changed.
     */
    @Column(name = "VERIFY_OF", nullable = false, columnDefinition = "BIGINT DEFAULT 0 NOT NULL")
    private long verifyOf;

    /**
     * What the vote of a verified job, or one of its replicas, keeps (the server's encoding, a
     * list of {@code key=value} texts); null for a job that is not verified.
     */
    @Lob
    @Convert(converter = StringListConverter.class)
    @Column(name = "VOTE", columnDefinition = "CLOB")
    private List<String> vote;

    public Job() {
    }

    /** A new QUEUED job, ready to be added. */
    public Job(String ownerName, String scriptName, String scriptSha256, byte[] script,
            List<String> args, List<String> inputNames, JobNeeds needs, long submittedAt) {
        this.ownerName = ownerName;
        setScriptName(scriptName);
        this.scriptSha256 = scriptSha256;
        this.script = script;
        setArgs(args);
        setInputNames(inputNames);
        setNeeds(needs);
        this.submittedAt = submittedAt;
    }

    public long getSweepId() {
        return sweepId;
    }

    public int getTaskIndex() {
        return taskIndex;
    }

    /** Makes this job task {@code taskIndex} of sweep {@code sweepId} (set before it is added). */
    public void setSweepTask(long sweepId, int taskIndex) {
        this.sweepId = sweepId;
        this.taskIndex = taskIndex;
    }

    public long getVerifyOf() {
        return verifyOf;
    }

    /** Makes this job a replica of job {@code parentId} (set before it is added). */
    public void setVerifyOf(long parentId) {
        this.verifyOf = parentId;
    }

    /** The vote's record, or null for a job that is not verified. */
    public List<String> getVote() {
        return vote;
    }

    public void setVote(List<String> vote) {
        this.vote = vote == null ? null : new ArrayList<>(vote);
    }

    /** Generated when added; 0 before. */
    public long getId() {
        return id;
    }

    /**
     * Names the row a value object stands for, as in {@code JobRepository.writeProgress}; never
     * change the id of a job that is added or managed.
     */
    public void setId(long id) {
        this.id = id;
    }

    public String getOwnerName() {
        return ownerName;
    }

    public void setOwnerName(String ownerName) {
        this.ownerName = ownerName;
    }

    public String getScriptName() {
        return scriptName;
    }

    /** Cut to {@link #MAX_SCRIPT_NAME} chars. */
    public void setScriptName(String scriptName) {
        this.scriptName = cut(scriptName, MAX_SCRIPT_NAME);
    }

    public String getScriptSha256() {
        return scriptSha256;
    }

    public void setScriptSha256(String scriptSha256) {
        this.scriptSha256 = scriptSha256;
    }

    /**
     * The script's bytes (the array itself; do not change it in place); empty for a job read by a
     * listing query, which leaves the script in the database.
     */
    public byte[] getScript() {
        return script == null ? new byte[0] : script;
    }

    public void setScript(byte[] script) {
        this.script = script;
    }

    /** Never null. */
    public List<String> getArgs() {
        return args == null ? List.of() : args;
    }

    /** Replaces the list (a copy is kept; changing the list in place is not persisted). */
    public void setArgs(List<String> args) {
        this.args = args == null ? new ArrayList<>() : new ArrayList<>(args);
    }

    /** Never null. */
    public List<String> getInputNames() {
        return inputNames == null ? List.of() : inputNames;
    }

    /** Replaces the list (a copy is kept; changing the list in place is not persisted). */
    public void setInputNames(List<String> inputNames) {
        this.inputNames = inputNames == null ? new ArrayList<>() : new ArrayList<>(inputNames);
    }

    public JobState getState() {
        return state;
    }

    /** Also sets the open flag (stored as {@code STATE_OPEN}). */
    public void setState(JobState state) {
        this.state = state;
        this.stateOpen = (short) (state != null && state.isTerminal() ? 0 : 1);
    }

    public int getAttempts() {
        return attempts;
    }

    public void setAttempts(int attempts) {
        this.attempts = attempts;
    }

    /** The pseudonym of the lender of the current or last attempt; null before the first. */
    public String getLenderPseudonym() {
        return lenderPseudonym;
    }

    public void setLenderPseudonym(String lenderPseudonym) {
        this.lenderPseudonym = lenderPseudonym;
    }

    public long getSubmittedAt() {
        return submittedAt;
    }

    public void setSubmittedAt(long submittedAt) {
        this.submittedAt = submittedAt;
    }

    public long getStartedAt() {
        return startedAt;
    }

    public void setStartedAt(long startedAt) {
        this.startedAt = startedAt;
    }

    public long getFinishedAt() {
        return finishedAt;
    }

    public void setFinishedAt(long finishedAt) {
        this.finishedAt = finishedAt;
    }

    /** Null until the process ended. */
    public Integer getExitCode() {
        return exitCode;
    }

    public void setExitCode(Integer exitCode) {
        this.exitCode = exitCode;
    }

    /** Set only for {@link JobState#LIMIT_EXCEEDED}; null otherwise. */
    public Limit getLimitHit() {
        return limitHit;
    }

    public void setLimitHit(Limit limitHit) {
        this.limitHit = limitHit;
    }

    /** Why it failed, was cancelled or lost; null when there is nothing to say. */
    public String getFailureReason() {
        return failureReason;
    }

    /** Cut to {@link #MAX_REASON} chars, so that a long message cannot fail the commit. */
    public void setFailureReason(String failureReason) {
        this.failureReason = cut(failureReason, MAX_REASON);
    }

    public long getOutputBytes() {
        return outputBytes;
    }

    public void setOutputBytes(long outputBytes) {
        this.outputBytes = outputBytes;
    }

    /** SHA-256 hex of the spooled output; null until known. */
    public String getOutputSha256() {
        return outputSha256;
    }

    public void setOutputSha256(String outputSha256) {
        this.outputSha256 = outputSha256;
    }

    public long getCpuMillis() {
        return cpuMillis;
    }

    public void setCpuMillis(long cpuMillis) {
        this.cpuMillis = cpuMillis;
    }

    /** Never null. */
    public List<OutputFileInfo> getOutputFiles() {
        return outputFiles == null ? List.of() : outputFiles;
    }

    /** Replaces the list (a copy is kept; changing the list in place is not persisted). */
    public void setOutputFiles(List<OutputFileInfo> outputFiles) {
        this.outputFiles = outputFiles == null ? new ArrayList<>() : new ArrayList<>(outputFiles);
    }

    public String getMinPython() {
        return minPython;
    }

    public void setMinPython(String minPython) {
        this.minPython = minPython == null ? "" : minPython;
    }

    public int getMemoryMb() {
        return memoryMb;
    }

    public void setMemoryMb(int memoryMb) {
        this.memoryMb = memoryMb;
    }

    public int getTimeoutSeconds() {
        return timeoutSeconds;
    }

    public void setTimeoutSeconds(int timeoutSeconds) {
        this.timeoutSeconds = timeoutSeconds;
    }

    /** The module needs as stored: one requirement text each ({@code numpy>=1.24}). */
    public List<String> getModuleNeeds() {
        return moduleNeeds == null ? List.of() : moduleNeeds;
    }

    /** Replaces the list (a copy is kept). */
    public void setModuleNeeds(List<String> moduleNeeds) {
        this.moduleNeeds = moduleNeeds == null ? new ArrayList<>() : new ArrayList<>(moduleNeeds);
    }

    /**
     * The needs as the shared value type. A stored module need that no longer parses (the door
     * checked each one, so only an edited database has one) is left out rather than making the
     * job unreadable, and so is a repeated name.
     */
    public JobNeeds getNeeds() {
        List<ModuleNeed> modules = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (String text : getModuleNeeds()) {
            try {
                ModuleNeed m = ModuleNeed.parse(text);
                if (names.add(m.name()) && modules.size() < JobNeeds.MAX_MODULES) {
                    modules.add(m);
                }
            } catch (IllegalArgumentException e) {
                // not a need any more: see above
            }
        }
        return new JobNeeds(minPython == null ? "" : minPython, memoryMb, timeoutSeconds, modules);
    }

    public void setNeeds(JobNeeds needs) {
        JobNeeds n = needs == null ? JobNeeds.NONE : needs;
        this.minPython = n.minPython();
        this.memoryMb = n.memoryMb();
        this.timeoutSeconds = n.timeoutSeconds();
        this.moduleNeeds = new ArrayList<>(n.modules().stream().map(ModuleNeed::toString).toList());
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    @Override
    public String toString() {
        return "Job[" + id + ", " + ownerName + ", " + scriptName + ", " + state + "]";
    }
}
