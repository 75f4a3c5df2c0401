package app.doorstep.ui.shell

import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.graphics.ImageBitmap
import app.doorstep.core.EffectFailure
import app.doorstep.core.MapPlace
import app.doorstep.core.Symbology

/** How an effect that has an answer ended: done with its value, or failed and why. */
sealed interface Outcome<out T> {
    data class Done<T>(val value: T) : Outcome<T>

    data class Failed(val failure: EffectFailure) : Outcome<Nothing>
}

/** A position fix, WGS-84, with its accuracy in metres. */
data class Fix(val lat: Double, val lon: Double, val accuracyM: Double)

/**
 * What only the phone can do: the effects of docs/screens.md ("Effects and their answers").
 * android/app implements it the Android way (camera intent, LocationManager, ZXing on camera
 * frames, intents for the map, the dialer, sharing and printing, WorkManager, notifications,
 * the Android Keystore); the JVM tests implement it at the edge of what this machine has. An
 * answer may come on any thread, once; [EffectDispatcher] turns it into the core's event.
 */
interface Platform {
    /** Camera: write a JPEG to [path] (the core's choice), then answer. */
    fun takePhoto(path: String, prompt: String, answer: (Outcome<Unit>) -> Unit)

    /** Barcode or QR scanner: the text read. */
    fun scan(kinds: List<Symbology>, prompt: String, answer: (Outcome<String>) -> Unit)

    /** A position fix as good as [accuracyM] within [timeoutS] seconds, or the best there is. */
    fun locate(accuracyM: Int, timeoutS: Int, answer: (Outcome<Fix>) -> Unit)

    /** The platform's PIN or biometric prompt. */
    fun unlock(prompt: String, answer: (Outcome<Unit>) -> Unit)

    fun openMap(label: String, place: MapPlace)

    fun call(number: String)

    fun share(path: String, mime: String, title: String)

    fun print(path: String, mime: String, title: String)

    /** A background job that calls `runSync` within [withinMinutes], when there is a network. */
    fun scheduleSync(withinMinutes: Int)

    /** A notification; tapping it opens the app with [link] (sent as `Event.OpenLink`). */
    fun notify(id: String, title: String, body: String, link: String, urgent: Boolean)

    fun keepScreenOn(on: Boolean)

    /** The device was revoked and wiped: delete the store key (a new one enrolls again). */
    fun forgetStoreKey()
}

/**
 * Reads an image file the core wrote in the app's folder (a photo's thumbnail, a signature's
 * preview) for drawing; null when it cannot be read. The JVM decodes with Skia, Android with
 * BitmapFactory.
 */
fun interface ImageFiles {
    fun load(path: String): ImageBitmap?
}

/** The [ImageFiles] of the platform the screens run on. */
val LocalImageFiles = staticCompositionLocalOf<ImageFiles> { ImageFiles { null } }
