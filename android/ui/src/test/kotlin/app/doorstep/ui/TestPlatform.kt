package app.doorstep.ui

import app.doorstep.core.EffectFailure
import app.doorstep.core.MapPlace
import app.doorstep.core.Symbology
import app.doorstep.ui.shell.Fix
import app.doorstep.ui.shell.Outcome
import app.doorstep.ui.shell.Platform
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption

/**
 * The phone's hardware at the edge of what this machine has: the camera writes one of the
 * repo's real JPEG fixtures where the core asked (in turn), the scanner reads the next of
 * [scans] (Cancelled when none), the position is [position], the lock prompt is passed; the
 * rest (map, dialer, share, print, background job, notifications, screen on, key deleted) is
 * recorded in [done] and [notified] for the tests to read.
 */
class TestPlatform : Platform {
    val scans = ArrayDeque<String>()
    var position = Fix(30.271, 120.121, 8.0)
    var cameraFails: EffectFailure? = null
    /** The lock prompt dismissed by the user (answered Cancelled) while set. */
    var unlockDismissed = false
    val done = mutableListOf<String>()
    val notified = mutableListOf<Notified>()
    var screenOn = false
        private set
    private var photos = 0

    data class Notified(val id: String, val title: String, val body: String, val link: String, val urgent: Boolean)

    override fun takePhoto(path: String, prompt: String, answer: (Outcome<Unit>) -> Unit) {
        cameraFails?.let { return answer(Outcome.Failed(it)) }
        Files.copy(CAMERA[photos++ % CAMERA.size], Path.of(path), StandardCopyOption.REPLACE_EXISTING)
        answer(Outcome.Done(Unit))
    }

    override fun scan(kinds: List<Symbology>, prompt: String, answer: (Outcome<String>) -> Unit) =
        answer(scans.removeFirstOrNull()?.let { Outcome.Done(it) } ?: Outcome.Failed(EffectFailure.CANCELLED))

    override fun locate(accuracyM: Int, timeoutS: Int, answer: (Outcome<Fix>) -> Unit) = answer(Outcome.Done(position))

    override fun unlock(prompt: String, answer: (Outcome<Unit>) -> Unit) =
        answer(if (unlockDismissed) Outcome.Failed(EffectFailure.CANCELLED) else Outcome.Done(Unit))

    override fun openMap(label: String, place: MapPlace) {
        done += "map"
    }

    override fun call(number: String) {
        done += "call $number"
    }

    override fun share(path: String, mime: String, title: String) {
        done += "share $path"
    }

    override fun print(path: String, mime: String, title: String) {
        done += "print $path"
    }

    override fun scheduleSync(withinMinutes: Int) {
        done += "schedule $withinMinutes"
    }

    override fun notify(id: String, title: String, body: String, link: String, urgent: Boolean) {
        notified += Notified(id, title, body, link, urgent)
    }

    override fun keepScreenOn(on: Boolean) {
        screenOn = on
    }

    override fun forgetStoreKey() {
        done += "forget key"
    }

    companion object {
        /** The camera: real JPEGs of the repo's photo fixtures (Maven runs in android/ui). */
        val CAMERA: List<Path> = listOf("testorig.jpg", "progressive-cat.jpg", "portrait_2.jpg", "monkey12.jpg")
            .map { Path.of("../../core/tests/fixtures/photos/jpeg", it).toAbsolutePath().normalize() }
            .onEach { check(Files.exists(it)) { "no camera fixture at $it" } }
    }
}
