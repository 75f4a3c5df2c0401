package app.doorstep.ui.shell

import app.doorstep.core.Effect
import app.doorstep.core.EffectFailure
import app.doorstep.core.Event

/**
 * Carries out the core's effects on the [Platform] and turns every answer into the core's event
 * with the same request number (docs/screens.md, "Effects and their answers"). SyncNow and
 * RunEnrollment are the shell's own network work ([runSync], [runEnrollment]).
 *
 * The request numbers being carried out are kept ([awaiting]) so that the Activity can save
 * them when Android kills the app with the camera open, and after the restart answer them
 * ([restore]) or, for one it cannot answer, fail it as Cancelled.
 */
class EffectDispatcher(
    private val platform: Platform,
    private val answer: (Event) -> Unit,
    private val runSync: () -> Unit,
    private val runEnrollment: () -> Unit,
) {
    private val pending = java.util.concurrent.ConcurrentHashMap<ULong, String>()

    /** The requests asked and not answered yet, with the effect's kind (`photo`, `scan`, `locate`, `unlock`). */
    fun awaiting(): Map<ULong, String> = HashMap(pending)

    /** After a restart: the requests that were being carried out when the process died. */
    fun restore(requests: Map<ULong, String>) {
        pending.putAll(requests)
    }

    /** Answers a restored request the platform can no longer answer: Cancelled. */
    fun abandon(request: ULong) {
        if (pending.remove(request) != null) answer(Event.EffectFailed(request, EffectFailure.CANCELLED))
    }

    /** Answers a restored photo request once the camera's result arrives after a restart. */
    fun photoTakenAfterRestart(request: ULong, taken: Boolean) {
        if (pending.remove(request) == null) return
        answer(if (taken) Event.PhotoTaken(request) else Event.EffectFailed(request, EffectFailure.CANCELLED))
    }

    fun carryOut(effects: List<Effect>) {
        for (effect in effects) carryOut(effect)
    }

    private fun <T> answering(request: ULong, kind: String, event: (T) -> Event): (Outcome<T>) -> Unit {
        pending[request] = kind
        return { outcome ->
            // An answer is sent once: a platform calling back twice (or after a restart) is ignored.
            if (pending.remove(request) != null) {
                answer(
                    when (outcome) {
                        is Outcome.Done -> event(outcome.value)
                        is Outcome.Failed -> Event.EffectFailed(request, outcome.failure)
                    },
                )
            }
        }
    }

    fun carryOut(effect: Effect) {
        when (effect) {
            is Effect.TakePhoto -> platform.takePhoto(
                effect.path,
                effect.prompt,
                answering(effect.request, "photo") { _: Unit -> Event.PhotoTaken(effect.request) },
            )
            is Effect.Scan -> platform.scan(
                effect.kinds,
                effect.prompt,
                answering(effect.request, "scan") { text: String -> Event.Scanned(effect.request, text) },
            )
            is Effect.Locate -> platform.locate(
                effect.accuracyM.toInt(),
                effect.timeoutS.toInt(),
                answering(effect.request, "locate") { fix: Fix -> Event.Located(effect.request, fix.lat, fix.lon, fix.accuracyM) },
            )
            is Effect.Unlock -> platform.unlock(
                effect.prompt,
                answering(effect.request, "unlock") { _: Unit -> Event.Unlocked(effect.request) },
            )
            is Effect.OpenMap -> platform.openMap(effect.label, effect.place)
            is Effect.Call -> platform.call(effect.number)
            is Effect.Share -> platform.share(effect.path, effect.mime, effect.title)
            is Effect.Print -> platform.print(effect.path, effect.mime, effect.title)
            is Effect.SyncNow -> runSync()
            is Effect.ScheduleSync -> platform.scheduleSync(effect.withinMinutes.toInt())
            is Effect.Notify -> platform.notify(effect.id, effect.title, effect.body, effect.link, effect.urgent)
            is Effect.KeepScreenOn -> platform.keepScreenOn(effect.on)
            is Effect.ForgetStoreKey -> platform.forgetStoreKey()
            is Effect.RunEnrollment -> runEnrollment()
        }
    }
}
