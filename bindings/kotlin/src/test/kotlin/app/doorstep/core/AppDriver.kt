package app.doorstep.core

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import java.time.Instant
import java.util.Collections

/**
 * A shell without a screen (the Kotlin twin of bindings/python/app_driver.py): drives
 * [DoorstepApp] only through events and carries out its effects as the Android shell does
 * (docs/screens.md, "How a shell drives the app"), so a test reads as a technician's day.
 *
 * Effects: a photo is [FieldWork.cameraPhoto] copied to the path the core chose, then `PhotoTaken`;
 * a scan answers with the next of [scans]; a position with [position]; `SyncNow` runs the sync
 * at once (the app runs it on a worker); `RunEnrollment` enrolls; a notification is kept in
 * [notified]; the rest (map, call, share, print, keep the screen on, background sync) in [done].
 */
class Phone private constructor(
    private val folder: Path,
    private val key: String,
    private val language: Language,
    private var now: String,
) : AutoCloseable {
    var app: DoorstepApp = open()
        private set
    var screen: ScreenState = app.screen()
        private set
    val notified = mutableListOf<Effect.Notify>()
    val done = mutableListOf<Effect>()
    val scans = ArrayDeque<String>()
    var position = Triple(30.271, 120.121, 8.0)
    var syncs = 0
        private set
    /** The screens a sync reported while it ran (on its own thread). */
    val during: MutableList<ScreenState> = Collections.synchronizedList(mutableListOf())
    private var photos = 0

    private fun open() = DoorstepApp.openWithTime(folder.toString(), key, language, "junit phone", now)

    /** Sends an event, draws the new screen and carries out its effects. */
    fun send(event: Event): ScreenState {
        val update = app.handle(event)
        screen = update.screen
        carryOut(update.effects)
        return screen
    }

    /** Minutes pass on the app's clock; the shell sends its Tick. */
    fun tick(minutes: Int = 1): ScreenState {
        app.advanceMinutes(minutes.toUInt())
        return send(Event.Tick)
    }

    fun back() = send(Event.Back)

    /** The process killed (nothing closed) and the app opened again on the same folder. */
    fun reopen(): ScreenState {
        now = app.nowIso()
        app.destroy()
        app = open()
        screen = app.screen()
        return screen
    }

    /** Types the server and the code on the Enroll screen and submits them. */
    fun enroll(server: String, code: String): ScreenState {
        on<Screen.Enroll>()
        send(Event.Enroll(EnrollEvent.SetServer(server)))
        send(Event.Enroll(EnrollEvent.SetCode(code)))
        return send(Event.Enroll(EnrollEvent.Submit))
    }

    /** The sync a `SyncNow` asked for, run to its end. */
    fun sync(): ScreenState {
        val update = app.runSync(object : AppListener {
            override fun onUpdate(update: Update) {
                during.add(update.screen)
            }
        })
        syncs++
        screen = update.screen
        carryOut(update.effects)
        return screen
    }

    private fun carryOut(effects: List<Effect>) {
        for (effect in effects) {
            when (effect) {
                is Effect.TakePhoto -> {
                    photos++
                    val taken = FieldWork.cameraPhoto(folder.resolveSibling("camera-$photos.png"), photos)
                    Files.copy(Path.of(taken), Path.of(effect.path), StandardCopyOption.REPLACE_EXISTING)
                    send(Event.PhotoTaken(effect.request))
                }
                is Effect.Scan -> send(
                    scans.removeFirstOrNull()?.let { Event.Scanned(effect.request, it) }
                        ?: Event.EffectFailed(effect.request, EffectFailure.CANCELLED),
                )
                is Effect.Locate -> send(Event.Located(effect.request, position.first, position.second, position.third))
                is Effect.Unlock -> send(Event.Unlocked(effect.request))
                is Effect.SyncNow -> sync()
                is Effect.Notify -> notified.add(effect)
                is Effect.RunEnrollment -> {
                    val update = app.runEnrollment()
                    screen = update.screen
                    carryOut(update.effects)
                }
                else -> done.add(effect)
            }
        }
    }

    override fun close() = app.destroy()

    companion object {
        fun open(folder: Path, language: Language = Language.ZH, now: String = Instant.now().toString()) =
            Phone(folder, generateStoreKey(), language, now)
    }
}

/** The record of the screen shown, which must be a [T]. */
inline fun <reified T : Screen> Phone.on(): T {
    val body = screen.body
    check(body is T) { "expected ${T::class.simpleName}, got ${body::class.simpleName}" }
    return body
}
