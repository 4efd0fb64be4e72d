package dev.herald.server.push;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Devices, the push outbox and the attempts history, in the store's database. The outbox is
 * written by the publish transaction (see {@code store.jdbc.PublishTransaction}); this interface
 * takes and finishes its rows. All methods block on I/O; implementations are thread-safe.
 */
public interface PushStore {

    /**
     * Registers {@code device} for its owner. The same platform and address registered before
     * (by anyone) keeps its id and moves to this owner with the new keys. When the owner then has
     * more than {@code maxPerUser} devices, the longest registered ones are removed.
     *
     * @return the registration as stored, and whether it is new
     */
    Registered register(PushDevice device, int maxPerUser);

    /** A registration and whether it did not exist before. */
    record Registered(PushDevice device, boolean created) {
    }

    /** The user's devices, newest first. */
    List<PushDevice> devices(String userStream);

    /** A device by id, whoever owns it. */
    Optional<PushDevice> device(String deviceId);

    /** Removes the user's device; false when the user has no device with this id. */
    boolean remove(String userStream, String deviceId);

    /**
     * Up to {@code limit} due jobs this caller now holds for {@code lease}: no other caller (on any
     * node) gets them until the lease ends. Oldest due first.
     */
    List<PushJob> claim(Instant now, Duration lease, int limit);

    /** The job's notification now; empty when it was deleted or has expired. */
    Optional<PushedNotification> notification(PushJob job, Instant now);

    /** True when the user has a job with the same collapse key written after this one. */
    boolean supersededByNewer(PushJob job);

    /**
     * Ends a job in one transaction: deletes it, records the attempts, writes the retries (each a
     * job for one device, due when given), removes the devices that are gone, and updates the
     * devices' last push or last error.
     */
    void finish(PushJob job, List<PushAttempt> attempts, List<Retry> retries);

    /** A retry of a job to one device. */
    record Retry(String deviceId, Instant dueAt, int attempts) {
    }

    /** Puts a job off until {@code dueAt} with another policy (quiet hours), releasing its lease. */
    void defer(PushJob job, Instant dueAt, dev.herald.server.store.PushPolicy policy);

    /** The device's most recent attempts, newest first, at most {@code limit}. */
    List<PushAttempt> attempts(String deviceId, int limit);

    /** Deletes attempts recorded before {@code cutoff}; returns how many. */
    int purgeAttempts(Instant cutoff, int limit);

    /** Jobs in the outbox now, due or not. */
    long pending();

    /** Every push template, by type. */
    List<PushTemplate> templates();

    /** Creates or replaces the template of its type. */
    void putTemplate(PushTemplate template);

    /** Removes a type's template; false when it had none. */
    boolean deleteTemplate(String type);
}
