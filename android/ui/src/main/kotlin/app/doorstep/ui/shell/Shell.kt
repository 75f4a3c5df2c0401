package app.doorstep.ui.shell

import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import app.doorstep.core.AppListener
import app.doorstep.core.DoorstepApp
import app.doorstep.core.DoorstepException
import app.doorstep.core.Event
import app.doorstep.core.Language
import app.doorstep.core.Notice
import app.doorstep.core.NoticeKind
import app.doorstep.core.ScreenState
import app.doorstep.core.Update
import java.util.concurrent.atomic.AtomicBoolean

/**
 * The one-way loop of docs/screens.md: an event in, the core's screen and effects out. The
 * screen is [state] (Compose state: the UI redraws when it changes); every call to the app runs
 * on [Workers.app], in order; a sync and an enrollment on [Workers.network]; the state is set
 * on [Workers.ui]. The shell keeps nothing of its own but [refusal] (the core's words for an
 * event it refused, shown over the screen until the next screen arrives).
 */
class Shell @JvmOverloads constructor(
    private val app: DoorstepApp,
    platform: Platform,
    private val workers: Workers,
    initial: ScreenState,
    private var language: Language,
    /** Set while a sync runs; android/app's background SyncWorker shares it, so the two never overlap. */
    private val syncing: AtomicBoolean = AtomicBoolean(false),
) {
    var state: ScreenState by mutableStateOf(initial)
        private set

    /** The core's words for the last event it refused (InvalidInput, a photo it could not read). */
    var refusal: Notice? by mutableStateOf(null)
        private set

    val effects = EffectDispatcher(platform, answer = ::send, runSync = ::sync, runEnrollment = ::enroll)

    /** Sends [event] to the core; the new screen is published and its effects carried out. */
    fun send(event: Event) {
        if (event is Event.SetLanguage) language = event.lang
        workers.app {
            val update = try {
                app.handle(event)
            } catch (e: DoorstepException) {
                refused(e)
                return@app
            }
            publish(update)
        }
    }

    /** A minute passed with the screen shown (the Activity's timer). */
    fun tick() = send(Event.Tick)

    /** The screen again, e.g. after a configuration change or a sync's step. */
    fun refresh() {
        workers.app {
            val screen = try {
                app.screen()
            } catch (e: DoorstepException) {
                refused(e)
                return@app
            }
            workers.ui { state = screen }
        }
    }

    /** Runs a sync on the network worker, unless one runs already. */
    fun sync() {
        if (!syncing.compareAndSet(false, true)) return
        workers.network {
            try {
                val update = app.runSync(object : AppListener {
                    override fun onUpdate(update: Update) = refresh()
                })
                workers.app { publish(update) }
            } catch (e: DoorstepException) {
                workers.app { refused(e) }
            } finally {
                syncing.set(false)
            }
        }
    }

    /** Enrolls on the network worker (the Enroll screen's Submit asked for it). */
    private fun enroll() {
        workers.network {
            try {
                val update = app.runEnrollment()
                workers.app { publish(update) }
            } catch (e: DoorstepException) {
                workers.app { refused(e) }
            }
        }
    }

    /** The screen of [update] is shown (the app's current screen when the update is older). */
    private fun publish(update: Update) {
        workers.ui {
            state = update.screen
            refusal = null
        }
        effects.carryOut(update.effects)
    }

    private fun refused(e: DoorstepException) {
        // An answer for a screen the user has left: dropped, by design (docs/screens.md).
        if (e is DoorstepException.Unanswerable && e.late) return
        val words = refusalWords(e, language) ?: return
        workers.ui { refusal = Notice(words, NoticeKind.PROBLEM) }
    }
}

/**
 * The core's own words for a refusal, in [language]; null for errors that carry none (the
 * screen the core shows already says what is wrong).
 */
fun refusalWords(e: DoorstepException, language: Language): String? = when (e) {
    is DoorstepException.InvalidInput -> if (language == Language.ZH) e.reasonZh else e.reason
    is DoorstepException.Photo -> if (language == Language.ZH) e.reasonZh else e.reason
    else -> null
}
