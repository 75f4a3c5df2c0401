package app.doorstep.ui.shell

import app.doorstep.core.DoorstepException
import app.doorstep.core.Effect
import app.doorstep.core.Screen
import app.doorstep.core.ScreenState
import app.doorstep.core.Update

/**
 * The background sync's work request, as plain data (android/app builds WorkManager's
 * OneTimeWorkRequest from it): one unique work [uniqueName], kept when one is already queued
 * ([keepQueued]: two schedules never run two syncs), started after [initialDelayMinutes], only
 * with a network, retried with an exponential back-off from [backoffSeconds].
 */
data class SyncWork(
    val uniqueName: String,
    val initialDelayMinutes: Long,
    val requiresNetwork: Boolean,
    val backoffSeconds: Long,
    val keepQueued: Boolean,
)

/** How one background sync ended. */
enum class SyncRunEnd {
    /** Pushed and pulled. */
    DONE,

    /** Another sync of this process was running (the open app's): it does the work. */
    BUSY,

    /** The sync failed and the phone has no network (a basement, a lift). */
    NO_NETWORK,

    /** The sync failed with a network: the server refused or did not answer. */
    SERVER_REFUSED,

    /** Stopped before its end (the system stopped the job, or the user cancelled). */
    STOPPED,

    /** The server revoked the device; the store was wiped (the effects held ForgetStoreKey). */
    REVOKED,

    /** Nothing to sync with: the phone is not enrolled (or was wiped before). */
    NOT_ENROLLED,

    /** The store could not be read or written: a retry would fail the same way. */
    BROKEN,
}

/** What the worker tells WorkManager. */
enum class SyncVerdict { SUCCESS, RETRY, FAILURE }

/**
 * The background sync's decisions (docs/screens.md, "Background sync and notifications"): when
 * the job runs for a `ScheduleSync { withinMinutes }` and, once it ran, whether it is done,
 * tried again later or given up. Pure: android/app's SyncWorker only executes them.
 */
object SyncSchedule {
    const val UNIQUE_NAME = "doorstep.sync"

    /**
     * How late Android may start a job after its delay (Doze's maintenance windows, the job
     * scheduler's batching): the job is asked this much before the core's deadline.
     */
    const val SLACK_MINUTES = 10L

    /** WorkManager's exponential back-off starts here (its floor is 10 s) and doubles, up to 5 hours. */
    const val BACKOFF_SECONDS = 30L

    /** Runs a sync the server refused is tried in all before the job gives up (the next pause asks again). */
    const val REFUSED_TRIES = 5

    /** The work request for `ScheduleSync { withinMinutes }`. */
    fun work(withinMinutes: Int): SyncWork = SyncWork(
        uniqueName = UNIQUE_NAME,
        initialDelayMinutes = (withinMinutes.toLong() - SLACK_MINUTES).coerceAtLeast(0),
        requiresNetwork = true,
        backoffSeconds = BACKOFF_SECONDS,
        keepQueued = true,
    )

    /**
     * What a run that ended as [end] tells WorkManager; [attempt] is WorkManager's
     * `runAttemptCount` (0 for the first run).
     */
    fun verdict(end: SyncRunEnd, attempt: Int): SyncVerdict = when (end) {
        SyncRunEnd.DONE, SyncRunEnd.BUSY -> SyncVerdict.SUCCESS
        // The network constraint holds the retry until there is a network: no limit needed.
        SyncRunEnd.NO_NETWORK, SyncRunEnd.STOPPED -> SyncVerdict.RETRY
        SyncRunEnd.SERVER_REFUSED -> if (attempt + 1 < REFUSED_TRIES) SyncVerdict.RETRY else SyncVerdict.FAILURE
        SyncRunEnd.REVOKED, SyncRunEnd.NOT_ENROLLED, SyncRunEnd.BROKEN -> SyncVerdict.FAILURE
    }

    /**
     * How a run ended: [update] is what `runSync` returned (null when it threw [error]);
     * [networkUp] is whether the phone has a network after it.
     */
    fun end(update: Update?, error: DoorstepException?, networkUp: Boolean): SyncRunEnd {
        if (error != null) {
            return when (error) {
                is DoorstepException.NotEnrolled -> SyncRunEnd.NOT_ENROLLED
                is DoorstepException.Cancelled -> SyncRunEnd.STOPPED
                is DoorstepException.Network -> if (networkUp) SyncRunEnd.SERVER_REFUSED else SyncRunEnd.NO_NETWORK
                is DoorstepException.Auth, is DoorstepException.Conflict -> SyncRunEnd.SERVER_REFUSED
                else -> SyncRunEnd.BROKEN
            }
        }
        checkNotNull(update) { "a sync ends with an update or an error" }
        if (update.effects.any { it is Effect.ForgetStoreKey }) return SyncRunEnd.REVOKED
        if (failureShown(update.screen) == null) return SyncRunEnd.DONE
        return if (networkUp) SyncRunEnd.SERVER_REFUSED else SyncRunEnd.NO_NETWORK
    }

    /**
     * The core's words for the last sync's failure, where the screen shows them (Today's sync
     * line, the Sync screen); null otherwise. The bindings give a failed run as an `Update`
     * like a good one: this is how the worker tells them apart.
     */
    fun failureShown(screen: ScreenState): String? = when (val body = screen.body) {
        is Screen.Today -> body.v1.sync.failure
        is Screen.Sync -> body.v1.lastFailure
        else -> null
    }
}
