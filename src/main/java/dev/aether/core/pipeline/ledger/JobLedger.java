package dev.aether.core.pipeline.ledger;

import dev.aether.core.pipeline.coordinator.Lease;
import dev.aether.core.AetherException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The durable record of every job of a project, in an embedded SQLite file.
 *
 * <p>Durability: every method that changes a job commits before it returns, so a caller that
 * answers a request only after the call returns never tells a node something the ledger could
 * forget. The file is in WAL mode with {@code synchronous=NORMAL}: a commit survives the process
 * being killed (kill -9), and may be lost only if the whole machine loses power (SQLite's
 * documented trade-off, https://www.sqlite.org/pragma.html#pragma_synchronous); the bucket's
 * {@code state/} checkpoints cover that case.
 *
 * <p>One process at a time: the ledger is opened in EXCLUSIVE locking mode, so SQLite keeps the
 * WAL index in its heap instead of a shared, memory-mapped {@code -shm} file
 * (https://www.sqlite.org/wal.html#noshm). A mapped file that can no longer be written (full disk,
 * a file made read-only or immutable under a running batch) is not an error SQLite can return:
 * the kernel kills the process with SIGBUS inside the driver. Without the mapping, every such
 * fault is an SQLException, reported with the file and its disk's room. While a batch runs, other
 * processes read its {@link #snapshotOf snapshot} instead ({@link #openForReading}).
 *
 * <p>Methods are synchronized, but the coordinator calls them from its one loop thread, which is
 * what orders the transitions; see {@link Coordinator}.
 */
public final class JobLedger implements AutoCloseable {
  private static final String ARGS_HASH = "args_sha256";
  private static final int BATCH = 10_000;

  private final Path file;
  private final Connection db;
  // The per-job statements, prepared once: preparing them again for every lease and report was
  // most of their time (measured in the simulator, dev.aether.core.sim, which makes millions).
  private final Map<String, PreparedStatement> statements = new HashMap<>();

  private JobLedger(Path file, Connection db) {
    this.file = file;
    this.db = db;
  }

  /** Opens the ledger at {@code file}, creating it (and its folder) when missing. */
  public static JobLedger open(Path file) {
    return open(file, 10_000);
  }

  private static JobLedger open(Path file, int busyMillis) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
      try (Statement s = db.createStatement()) {
        s.execute("PRAGMA busy_timeout=" + busyMillis);
        // Before the first access, so that no -shm file is ever mapped (see the class comment).
        s.execute("PRAGMA locking_mode=EXCLUSIVE");
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=NORMAL");
        s.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)");
        s.execute("CREATE TABLE IF NOT EXISTS jobs("
            + "number INTEGER PRIMARY KEY, line INTEGER NOT NULL, args TEXT NOT NULL,"
            + " state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
            + " lease_expires_at INTEGER, node TEXT, exit_code INTEGER,"
            + " started_at INTEGER, ended_at INTEGER, leases INTEGER NOT NULL DEFAULT 0)");
        // Finds the next PENDING job in file order, and the LEASED ones, without a scan.
        s.execute("CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state, number)");
        addLeasesColumn(db, s);
        addInterruptions(s);
      }
      return new JobLedger(file, db);
    } catch (SQLException | IOException e) {
      throw new AetherException(AetherException.UNEXPECTED_STATE,
          "cannot open the job ledger " + file + ": " + e.getMessage() + "; "
              + DiskSpace.describe(file) + ". Check the folder is writable and has room, or"
              + " delete the file to start the project over", e);
    }
  }

  /**
   * {@code leases} numbers a job's leases (AETHER_ATTEMPT) and is never decremented, unlike
   * {@code attempts}; ledgers written before it existed start it at their attempts.
   */
  private static void addLeasesColumn(Connection db, Statement s) throws SQLException {
    try (ResultSet r = s.executeQuery("SELECT 1 FROM pragma_table_info('jobs')"
        + " WHERE name='leases'")) {
      if (r.next()) {
        return;
      }
    }
    db.setAutoCommit(false);
    try {
      s.execute("ALTER TABLE jobs ADD COLUMN leases INTEGER NOT NULL DEFAULT 0");
      s.execute("UPDATE jobs SET leases=attempts");
      db.commit();
    } catch (SQLException e) {
      db.rollback();
      throw e;
    } finally {
      db.setAutoCommit(true);
    }
  }

  /**
   * The {@code interruptions} column (spot interruptions a job's runs met, for
   * {@code --spot-attempts}), added to ledgers made before it existed.
   */
  private static void addInterruptions(Statement s) throws SQLException {
    try (ResultSet r = s.executeQuery("SELECT 1 FROM pragma_table_info('jobs')"
        + " WHERE name='interruptions'")) {
      if (r.next()) {
        return;
      }
    }
    s.execute("ALTER TABLE jobs ADD COLUMN interruptions INTEGER NOT NULL DEFAULT 0");
  }

  /**
   * The consistent copy of {@code ledgerFile} that a running batch refreshes after changes (at
   * most every few seconds, and at the end), for readers while the batch holds the ledger.
   */
  public static Path snapshotOf(Path ledgerFile) {
    return ledgerFile.resolveSibling("checkpoint.db");
  }

  /**
   * Opens an existing ledger to read it: the ledger itself, or, while a batch holds it, its
   * {@link #snapshotOf snapshot} (read-only, a few seconds old). Invalid input (exit 2) when there
   * is no ledger.
   */
  public static JobLedger openForReading(Path file) {
    if (!Files.isRegularFile(file)) {
      return openExisting(file); // says there is none
    }
    try {
      return open(file, 0);
    } catch (AetherException e) {
      if (!(e.getCause() instanceof org.sqlite.SQLiteException s)
          || s.getResultCode().code != org.sqlite.SQLiteErrorCode.SQLITE_BUSY.code) {
        throw e;
      }
    }
    Path snapshot = snapshotOf(file);
    try {
      org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
      config.setReadOnly(true);
      Connection db = config.createConnection("jdbc:sqlite:" + snapshot.toAbsolutePath());
      return new JobLedger(snapshot, db);
    } catch (SQLException e) {
      throw new AetherException(AetherException.UNEXPECTED_STATE, "the job ledger " + file
          + " is in use by a running batch, and its snapshot " + snapshot + " cannot be read: "
          + e.getMessage() + "; try again in a few seconds", e);
    }
  }

  /** Opens an existing ledger; invalid input (exit 2) when there is none. */
  public static JobLedger openExisting(Path file) {
    if (!Files.isRegularFile(file)) {
      throw AetherException.invalidInput("no job ledger at " + file
          + ": this project has not run here (check --name and the projects folder)");
    }
    return open(file);
  }

  public Path file() {
    return file;
  }

  /**
   * How an args file compares with the jobs this ledger holds.
   *
   * @param kind NEW (an empty ledger), SAME, APPENDED (every job it holds is still there, in
   *     order, and more follow), CHANGED (a job it holds was changed, moved or removed)
   * @param firstDifferent for APPENDED the first new job's number, for CHANGED the first changed
   *     job's number; 0 otherwise
   * @param was for CHANGED, the job as this ledger holds it
   */
  public record ArgsChange(Kind kind, int firstDifferent, String was) {
    public enum Kind { NEW, SAME, APPENDED, CHANGED }
  }

  public synchronized ArgsChange compare(ArgsFile args) {
    Optional<String> stored = meta(ARGS_HASH);
    if (stored.isEmpty()) {
      return new ArgsChange(ArgsChange.Kind.NEW, 0, "");
    }
    if (stored.get().equals(args.sha256())) {
      return new ArgsChange(ArgsChange.Kind.SAME, 0, "");
    }
    return query(() -> {
      try (Statement s = db.createStatement();
          ResultSet r = s.executeQuery("SELECT number, args FROM jobs ORDER BY number")) {
        int held = 0;
        while (r.next()) {
          int number = r.getInt(1);
          String job = r.getString(2);
          if (number > args.size() || !args.jobs().get(number - 1).equals(job)) {
            return new ArgsChange(ArgsChange.Kind.CHANGED, number, job);
          }
          held = number;
        }
        return held < args.size() ? new ArgsChange(ArgsChange.Kind.APPENDED, held + 1, "")
            : new ArgsChange(ArgsChange.Kind.CHANGED, held + 1, "");
      }
    });
  }

  /** The refusal of a changed args file, naming the first changed job and its line. */
  public static AetherException changed(ArgsFile args, ArgsChange change) {
    int n = change.firstDifferent();
    String now = n <= args.size() ? "line " + args.lines().get(n - 1) + " now reads '"
        + args.jobs().get(n - 1) + "'" : "it is no longer in the file";
    return AetherException.invalidInput("the args file (-A) has changed since this project last"
        + " ran: job " + n + " was '" + change.was() + "', " + now + ". Jobs are numbered by"
        + " line, so results would no longer match: put the original lines back (new lines may"
        + " be added at the end), use another --name, or add --restart to run every job again"
        + " (the old outputs stay in the bucket)");
  }

  /**
   * Fills the ledger with {@code args}, or checks that it already holds them. Lines added at the
   * end become new PENDING jobs (the jobs already held keep their state and results). A ledger
   * whose jobs were changed, moved or removed is refused (exit 2) unless {@code restart};
   * {@code restart} empties the ledger and starts every job again from PENDING.
   */
  public synchronized void load(ArgsFile args, boolean restart) {
    ArgsChange change = compare(args);
    if (!restart) {
      switch (change.kind()) {
        case SAME:
          return;
        case CHANGED:
          throw changed(args, change);
        case APPENDED:
          insert(args, change.firstDifferent(), false);
          return;
        case NEW:
          break;
      }
    }
    insert(args, 1, true);
  }

  /** Adds jobs {@code from}.. of {@code args} as PENDING, first emptying the ledger if asked. */
  private void insert(ArgsFile args, int from, boolean empty) {
    transaction(() -> {
      if (empty) {
        try (Statement s = db.createStatement()) {
          // A restart keeps each job number's lease count, so that AETHER_ATTEMPT stays unique.
          s.execute("DROP TABLE IF EXISTS temp.old_leases");
          s.execute("CREATE TEMP TABLE old_leases AS SELECT number, leases FROM jobs");
          s.execute("DELETE FROM jobs");
        }
      }
      try (PreparedStatement insert = db.prepareStatement(
          "INSERT INTO jobs(number, line, args, state) VALUES (?, ?, ?, 'PENDING')")) {
        for (int i = from - 1; i < args.size(); i++) {
          insert.setInt(1, i + 1);
          insert.setInt(2, args.lines().get(i));
          insert.setString(3, args.jobs().get(i));
          insert.addBatch();
          if ((i + 1) % BATCH == 0) {
            insert.executeBatch();
          }
        }
        insert.executeBatch();
      }
      if (empty) {
        try (Statement s = db.createStatement()) {
          s.execute("UPDATE jobs SET leases=(SELECT o.leases FROM old_leases o"
              + " WHERE o.number=jobs.number) WHERE number IN (SELECT number FROM old_leases)");
          s.execute("DROP TABLE temp.old_leases");
        }
      }
      putMeta(ARGS_HASH, args.sha256());
      return null;
    });
  }

  /**
   * Gives back the leases of a coordinator that died: LEASED jobs return to PENDING and the attempt
   * is not counted, since the job did not fail, its coordinator did; their next lease gets a new
   * number all the same (the old run may still be going). Call once, before serving.
   *
   * @return how many jobs went back to PENDING
   */
  public synchronized int recoverLeases() {
    return transaction(() -> {
      try (Statement s = db.createStatement()) {
        return s.executeUpdate("UPDATE jobs SET state='PENDING', attempts=max(attempts-1, 0),"
            + " lease_expires_at=NULL WHERE state='LEASED'");
      }
    });
  }

  /**
   * Gives FAILED jobs a new set of attempts (a rerun runs everything that is not DONE, e.g. after
   * the script was fixed).
   *
   * @return how many jobs went back to PENDING
   */
  public synchronized int retryFailed() {
    return transaction(() -> {
      try (Statement s = db.createStatement()) {
        return s.executeUpdate(
            "UPDATE jobs SET state='PENDING', attempts=0 WHERE state='FAILED'");
      }
    });
  }

  /**
   * Moves every job's lease numbers on by {@code gap}: for a ledger restored from the bucket's
   * checkpoint, which may be a few seconds older than the leases its coordinator handed out, so
   * that no lease number is handed out twice.
   */
  public synchronized void skipLeaseNumbers(int gap) {
    transaction(() -> {
      try (PreparedStatement u = db.prepareStatement(
          "UPDATE jobs SET leases=leases+? WHERE state<>'DONE'")) {
        u.setInt(1, gap);
        return u.executeUpdate();
      }
    });
  }

  /**
   * Leases the first PENDING job in file order to {@code node}; empty when none is PENDING. The
   * lease's attempt is the job's next lease number.
   */
  public synchronized Optional<Lease> lease(String node, long nowMillis, long leaseMillis) {
    return lease(node, nowMillis, leaseMillis, Integer.MAX_VALUE);
  }

  /**
   * As above, among the PENDING jobs interrupted fewer than {@code interruptionsBelow} times: a
   * spot node is not given a job that spot capacity has already lost that often.
   */
  public synchronized Optional<Lease> lease(String node, long nowMillis, long leaseMillis,
      int interruptionsBelow) {
    return transaction(() -> {
      int number;
      String args;
      int leases;
      {
        PreparedStatement q = statement("SELECT number, args, leases FROM jobs"
            + " WHERE state='PENDING' AND interruptions < ? ORDER BY number LIMIT 1");
        q.setInt(1, interruptionsBelow);
        try (ResultSet r = q.executeQuery()) {
          if (!r.next()) {
            return Optional.empty();
          }
          number = r.getInt(1);
          args = r.getString(2);
          leases = r.getInt(3);
        }
      }
      {
        PreparedStatement u = statement("UPDATE jobs SET state='LEASED',"
            + " attempts=attempts+1, leases=leases+1, node=?, lease_expires_at=?, started_at=?,"
            + " exit_code=NULL, ended_at=NULL WHERE number=?");
        u.setString(1, node);
        u.setLong(2, nowMillis + leaseMillis);
        u.setLong(3, nowMillis);
        u.setInt(4, number);
        u.executeUpdate();
      }
      return Optional.of(new Lease(number, leases + 1, args));
    });
  }

  /**
   * Extends {@code node}'s lease on a job.
   *
   * @return false when the node no longer holds that lease (it expired, or was handed on)
   */
  public synchronized boolean renew(String node, int number, int attempt, long nowMillis,
      long leaseMillis) {
    return transaction(() -> {
      {
        PreparedStatement u = statement("UPDATE jobs SET lease_expires_at=?"
            + " WHERE number=? AND state='LEASED' AND node=? AND leases=?");
        u.setLong(1, nowMillis + leaseMillis);
        u.setInt(2, number);
        u.setString(3, node);
        u.setInt(4, attempt);
        return u.executeUpdate() == 1;
      }
    });
  }

  /**
   * Gives back a lease its node cannot finish because the node is being taken away (a spot
   * interruption): the job returns to PENDING at once and the attempt is not counted, since the
   * job did not fail, its machine went. The node that gave the lease back has killed the run and
   * will not report it (see {@code Agent}); the next lease gets a new number. The job's
   * interruptions are counted ({@code --spot-attempts}).
   *
   * @return false when the node no longer holds that lease (nothing changed)
   */
  public synchronized boolean release(String node, int number, int attempt) {
    return transaction(() -> {
      {
        PreparedStatement u = statement("UPDATE jobs SET state='PENDING',"
            + " attempts=max(attempts-1, 0), lease_expires_at=NULL,"
            + " interruptions=interruptions+1"
            + " WHERE number=? AND state='LEASED' AND node=? AND leases=?");
        u.setInt(1, number);
        u.setString(2, node);
        u.setInt(3, attempt);
        return u.executeUpdate() == 1;
      }
    });
  }

  /**
   * Records the end of a run. Exit 0 makes the job DONE; another exit makes it PENDING again, or
   * FAILED when it has had {@code maxAttempts} leases.
   *
   * <p>Only the lease's holder is heard: a report for another node's or an older attempt is
   * ignored, with one exception: a success for the latest attempt whose lease has just expired
   * (job PENDING, not yet leased again) is kept, as that work is done and nobody else runs it.
   *
   * @return the job's new state, or empty when the report was ignored
   */
  public synchronized Optional<JobState> complete(String node, int number, int attempt,
      int exitCode, long nowMillis, int maxAttempts) {
    return transaction(() -> {
      Optional<Job> job = job(number);
      if (job.isEmpty() || job.get().leases() != attempt) {
        return Optional.empty();
      }
      JobState state = job.get().state();
      boolean holder = state == JobState.LEASED && job.get().node().orElse("").equals(node);
      boolean lateSuccess = state == JobState.PENDING && exitCode == 0;
      if (!holder && !lateSuccess) {
        return Optional.empty();
      }
      JobState next = exitCode == 0 ? JobState.DONE
          : job.get().attempts() >= maxAttempts ? JobState.FAILED : JobState.PENDING;
      {
        PreparedStatement u = statement("UPDATE jobs SET state=?, exit_code=?,"
            + " ended_at=?, lease_expires_at=NULL, node=? WHERE number=?");
        u.setString(1, next.name());
        u.setInt(2, exitCode);
        u.setLong(3, nowMillis);
        u.setString(4, node);
        u.setInt(5, number);
        u.executeUpdate();
      }
      return Optional.of(next);
    });
  }

  /**
   * Ends every lease not renewed by {@code nowMillis}. An expired lease counts as an attempt (a
   * job that kills its node must not loop for ever): the job returns to PENDING, or becomes FAILED
   * once it has had {@code maxAttempts} leases.
   *
   * @return how many leases expired
   */
  public synchronized int expire(long nowMillis, int maxAttempts) {
    return transaction(() -> {
      try (PreparedStatement u = db.prepareStatement("UPDATE jobs SET state = CASE WHEN"
          + " attempts >= ? THEN 'FAILED' ELSE 'PENDING' END, lease_expires_at=NULL, ended_at=?"
          + " WHERE state='LEASED' AND lease_expires_at < ?")) {
        u.setInt(1, maxAttempts);
        u.setLong(2, nowMillis);
        u.setLong(3, nowMillis);
        return u.executeUpdate();
      }
    });
  }

  /** How many PENDING jobs were interrupted at least {@code times} times. */
  public synchronized int pendingInterrupted(int times) {
    return query(() -> {
      try (PreparedStatement q = db.prepareStatement(
          "SELECT count(*) FROM jobs WHERE state='PENDING' AND interruptions >= ?")) {
        q.setInt(1, times);
        try (ResultSet r = q.executeQuery()) {
          r.next();
          return r.getInt(1);
        }
      }
    });
  }

  /** True while some job is PENDING or LEASED. */
  public synchronized boolean hasUnfinished() {
    return query(() -> {
      try (Statement s = db.createStatement();
          ResultSet r = s.executeQuery("SELECT EXISTS(SELECT 1 FROM jobs WHERE state='LEASED')"
              + " OR EXISTS(SELECT 1 FROM jobs WHERE state='PENDING')")) {
        r.next();
        return r.getBoolean(1);
      }
    });
  }

  public synchronized LedgerCounts counts() {
    return query(() -> {
      int[] n = new int[JobState.values().length];
      try (Statement s = db.createStatement();
          ResultSet r = s.executeQuery("SELECT state, count(*) FROM jobs GROUP BY state")) {
        while (r.next()) {
          n[JobState.valueOf(r.getString(1)).ordinal()] = r.getInt(2);
        }
      }
      return new LedgerCounts(n[JobState.PENDING.ordinal()], n[JobState.LEASED.ordinal()],
          n[JobState.DONE.ordinal()], n[JobState.FAILED.ordinal()]);
    });
  }

  public synchronized Optional<Job> job(int number) {
    return query(() -> {
      {
        PreparedStatement q = statement("SELECT * FROM jobs WHERE number=?");
        q.setInt(1, number);
        try (ResultSet r = q.executeQuery()) {
          return r.next() ? Optional.of(row(r)) : Optional.<Job>empty();
        }
      }
    });
  }

  /** The jobs in {@code state}, in job order. */
  public synchronized List<Job> jobs(JobState state) {
    return query(() -> {
      List<Job> jobs = new ArrayList<>();
      try (PreparedStatement q =
          db.prepareStatement("SELECT * FROM jobs WHERE state=? ORDER BY number")) {
        q.setString(1, state.name());
        try (ResultSet r = q.executeQuery()) {
          while (r.next()) {
            jobs.add(row(r));
          }
        }
      }
      return jobs;
    });
  }

  public synchronized Optional<String> meta(String key) {
    return query(() -> {
      try (PreparedStatement q = db.prepareStatement("SELECT value FROM meta WHERE key=?")) {
        q.setString(1, key);
        try (ResultSet r = q.executeQuery()) {
          return r.next() ? Optional.of(r.getString(1)) : Optional.<String>empty();
        }
      }
    });
  }

  public synchronized void setMeta(String key, String value) {
    transaction(() -> {
      putMeta(key, value);
      return null;
    });
  }

  /**
   * Writes a consistent copy of the whole ledger to {@code target} (replaced), while the ledger
   * stays open: SQLite's {@code VACUUM INTO} reads one snapshot.
   */
  public synchronized void copyTo(Path target) {
    query(() -> {
      // Written aside, then moved into place: a reader never sees half a copy.
      Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException e) {
        throw new SQLException("cannot replace " + tmp + ": " + e.getMessage(), e);
      }
      try (Statement s = db.createStatement()) {
        s.execute("VACUUM INTO '" + tmp.toAbsolutePath().toString().replace("'", "''") + "'");
      }
      try {
        Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new SQLException("cannot replace " + target + ": " + e.getMessage(), e);
      }
      return null;
    });
  }

  @Override
  public synchronized void close() {
    try {
      for (PreparedStatement p : statements.values()) {
        p.close();
      }
      db.close();
    } catch (SQLException e) {
      // Nothing is lost: every change was committed when it was made.
    }
  }

  private void putMeta(String key, String value) throws SQLException {
    try (PreparedStatement u =
        db.prepareStatement("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)")) {
      u.setString(1, key);
      u.setString(2, value);
      u.executeUpdate();
    }
  }

  private PreparedStatement statement(String sql) throws SQLException {
    PreparedStatement p = statements.get(sql);
    if (p == null) {
      p = db.prepareStatement(sql);
      statements.put(sql, p);
    }
    return p;
  }

  private static Job row(ResultSet r) throws SQLException {
    return new Job(r.getInt("number"), r.getInt("line"), r.getString("args"),
        JobState.valueOf(r.getString("state")), r.getInt("attempts"), r.getInt("leases"),
        instant(r, "lease_expires_at"), Optional.ofNullable(r.getString("node")),
        integer(r, "exit_code"), instant(r, "started_at"), instant(r, "ended_at"));
  }

  private static Optional<Instant> instant(ResultSet r, String column) throws SQLException {
    long v = r.getLong(column);
    return r.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
  }

  private static Optional<Integer> integer(ResultSet r, String column) throws SQLException {
    int v = r.getInt(column);
    return r.wasNull() ? Optional.empty() : Optional.of(v);
  }

  private interface Work<T> {
    T run() throws SQLException;
  }

  /** Runs {@code work} in one transaction, committed before returning. */
  private <T> T transaction(Work<T> work) {
    try {
      db.setAutoCommit(false);
    } catch (SQLException e) {
      throw failure(e);
    }
    boolean committed = false;
    SQLException failed = null;
    try {
      T result = work.run();
      db.commit();
      committed = true;
      return result;
    } catch (SQLException e) {
      failed = e;
      throw failure(e);
    } finally {
      // A commit that failed (a full disk) has been rolled back by SQLite already; what the
      // rollback and the return to autocommit say then must not hide why it failed.
      try {
        if (!committed) {
          db.rollback();
        }
      } catch (SQLException e) {
        if (failed != null) {
          failed.addSuppressed(e);
        }
      }
      try {
        db.setAutoCommit(true);
      } catch (SQLException e) {
        if (failed != null) {
          failed.addSuppressed(e);
        } else if (committed) {
          throw failure(e);
        }
      }
    }
  }

  private <T> T query(Work<T> work) {
    try {
      return work.run();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** One line: which file, what SQLite said, and the room left on its disk. */
  private AetherException failure(SQLException e) {
    return new AetherException(AetherException.UNEXPECTED_STATE,
        "the job ledger " + file + " failed: " + e.getMessage() + "; " + DiskSpace.describe(file),
        e);
  }
}
