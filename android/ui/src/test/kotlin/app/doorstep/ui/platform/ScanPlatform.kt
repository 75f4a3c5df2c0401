package app.doorstep.ui.platform

import app.doorstep.core.EffectFailure
import app.doorstep.core.MapPlace
import app.doorstep.core.Symbology
import app.doorstep.ui.scan.CodeReader
import app.doorstep.ui.scan.LumaFrame
import app.doorstep.ui.shell.Fix
import app.doorstep.ui.shell.Outcome
import app.doorstep.ui.shell.Platform

/**
 * A phone whose camera shows [frames] to the scanner, one after the other, as the Android
 * scanner's ImageAnalysis does: each frame goes through [CodeReader] with the kinds the core
 * asked for, and the first one read answers the scan (Cancelled when the frames run out, as when
 * the user gives up). Every other effect is recorded in [asked].
 */
class ScanPlatform : Platform {
    val frames = ArrayDeque<LumaFrame>()
    val asked = mutableListOf<String>()
    val kindsAsked = mutableListOf<List<Symbology>>()

    override fun scan(kinds: List<Symbology>, prompt: String, answer: (Outcome<String>) -> Unit) {
        kindsAsked += kinds
        val reader = CodeReader(kinds)
        while (frames.isNotEmpty()) {
            reader.read(frames.removeFirst())?.let { return answer(Outcome.Done(it)) }
        }
        answer(Outcome.Failed(EffectFailure.CANCELLED))
    }

    override fun takePhoto(path: String, prompt: String, answer: (Outcome<Unit>) -> Unit) {
        asked += "photo"
        answer(Outcome.Failed(EffectFailure.UNAVAILABLE))
    }

    override fun locate(accuracyM: Int, timeoutS: Int, answer: (Outcome<Fix>) -> Unit) {
        asked += "locate"
        answer(Outcome.Done(Fix(30.271, 120.121, 8.0)))
    }

    override fun unlock(prompt: String, answer: (Outcome<Unit>) -> Unit) = answer(Outcome.Done(Unit))

    override fun openMap(label: String, place: MapPlace) {
        asked += "map"
    }

    override fun call(number: String) {
        asked += "call"
    }

    override fun share(path: String, mime: String, title: String) {
        asked += "share"
    }

    override fun print(path: String, mime: String, title: String) {
        asked += "print"
    }

    override fun scheduleSync(withinMinutes: Int) {
        asked += "schedule"
    }

    override fun notify(id: String, title: String, body: String, link: String, urgent: Boolean) {
        asked += "notify"
    }

    override fun keepScreenOn(on: Boolean) {}

    override fun forgetStoreKey() {
        asked += "forget"
    }
}
