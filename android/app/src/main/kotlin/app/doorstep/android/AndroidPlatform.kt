package app.doorstep.android

import android.Manifest
import android.annotation.SuppressLint
import android.app.Activity
import android.app.KeyguardManager
import android.content.ActivityNotFoundException
import android.content.Intent
import android.content.pm.PackageManager
import android.location.Location
import android.location.LocationManager
import android.net.Uri
import android.os.Handler
import android.os.Looper
import android.print.PrintAttributes
import android.print.PrintManager
import android.view.WindowManager
import android.webkit.WebView
import android.webkit.WebViewClient
import android.widget.Toast
import androidx.activity.ComponentActivity
import androidx.activity.result.contract.ActivityResultContracts
import androidx.core.content.ContextCompat
import androidx.core.content.FileProvider
import androidx.core.location.LocationListenerCompat
import androidx.core.location.LocationManagerCompat
import androidx.core.location.LocationRequestCompat
import app.doorstep.core.EffectFailure
import app.doorstep.core.MapPlace
import app.doorstep.core.Symbology
import app.doorstep.ui.shell.Fix
import app.doorstep.ui.shell.MapLinks
import app.doorstep.ui.shell.Outcome
import app.doorstep.ui.shell.Platform
import java.io.File

/**
 * The effects only the phone can do (docs/screens.md, "Effects and their answers"), the
 * Android way and without Google services: the camera app through TakePicture into the file the
 * core named, the code scanner ([ScanActivity], ZXing), LocationManager, the map apps by intent
 * ([MapLinks]), the dialer, the share sheet, the print service, WorkManager, notifications, the
 * keystore. Made in the Activity's onCreate (the result launchers must be registered then).
 * The EffectDispatcher calls in from the app's worker thread: everything is done on the main
 * thread, and every answer is given once.
 *
 * [photoAfterRestart] receives the camera's result when the process was killed while the camera
 * was open (the answer then goes through the restored EffectDispatcher).
 */
class AndroidPlatform(
    private val activity: ComponentActivity,
    private val doorstep: DoorstepApplication,
    private val photoAfterRestart: (taken: Boolean) -> Unit,
) : Platform {
    private val main = Handler(Looper.getMainLooper())
    private var photoAnswer: ((Outcome<Unit>) -> Unit)? = null
    private var scanAnswer: ((Outcome<String>) -> Unit)? = null
    private var unlockAnswer: ((Outcome<Unit>) -> Unit)? = null
    private var permissionAnswer: ((Boolean) -> Unit)? = null
    private var printing: WebView? = null

    private val takePicture = activity.registerForActivityResult(ActivityResultContracts.TakePicture()) { taken ->
        val answer = photoAnswer
        photoAnswer = null
        if (answer == null) photoAfterRestart(taken) else answer(if (taken) Outcome.Done(Unit) else Outcome.Failed(EffectFailure.CANCELLED))
    }

    private val scanCode = activity.registerForActivityResult(ScanActivity.Contract()) { text ->
        val answer = scanAnswer ?: return@registerForActivityResult // after a restart: the dispatcher cancels it
        scanAnswer = null
        answer(if (text != null) Outcome.Done(text) else Outcome.Failed(EffectFailure.CANCELLED))
    }

    private val confirmCredential = activity.registerForActivityResult(ActivityResultContracts.StartActivityForResult()) { result ->
        val answer = unlockAnswer ?: return@registerForActivityResult
        unlockAnswer = null
        answer(if (result.resultCode == Activity.RESULT_OK) Outcome.Done(Unit) else Outcome.Failed(EffectFailure.CANCELLED))
    }

    private val askPermission = activity.registerForActivityResult(ActivityResultContracts.RequestPermission()) { granted ->
        val answer = permissionAnswer
        permissionAnswer = null
        answer?.invoke(granted)
    }

    private fun onMain(task: () -> Unit) {
        if (Looper.myLooper() == Looper.getMainLooper()) task() else main.post(task)
    }

    /** Runs [then] with whether [permission] is granted, asking the user when it is not yet. */
    private fun withPermission(permission: String, then: (Boolean) -> Unit) {
        if (ContextCompat.checkSelfPermission(activity, permission) == PackageManager.PERMISSION_GRANTED) return then(true)
        // One question at a time: a second one while the first is open is refused.
        if (permissionAnswer != null) return then(false)
        permissionAnswer = then
        askPermission.launch(permission)
    }

    /** Asked once at the start on Android 13+: urgent orders arrive as notifications. */
    fun askForNotifications() = onMain {
        if (android.os.Build.VERSION.SDK_INT >= 33) withPermission(Manifest.permission.POST_NOTIFICATIONS) {}
    }

    override fun takePhoto(path: String, prompt: String, answer: (Outcome<Unit>) -> Unit) = onMain {
        withPermission(Manifest.permission.CAMERA) { granted ->
            if (!granted) return@withPermission answer(Outcome.Failed(EffectFailure.DENIED))
            val file = File(path).apply { parentFile?.mkdirs() }
            val uri = try {
                FileProvider.getUriForFile(activity, authority(), file)
            } catch (e: IllegalArgumentException) {
                return@withPermission answer(Outcome.Failed(EffectFailure.UNAVAILABLE)) // not in the shared folder
            }
            photoAnswer = answer
            try {
                Toast.makeText(activity, prompt, Toast.LENGTH_LONG).show()
                takePicture.launch(uri)
            } catch (e: ActivityNotFoundException) {
                photoAnswer = null
                answer(Outcome.Failed(EffectFailure.UNAVAILABLE))
            }
        }
    }

    override fun scan(kinds: List<Symbology>, prompt: String, answer: (Outcome<String>) -> Unit) = onMain {
        withPermission(Manifest.permission.CAMERA) { granted ->
            if (!granted) return@withPermission answer(Outcome.Failed(EffectFailure.DENIED))
            scanAnswer = answer
            scanCode.launch(ScanActivity.Ask(kinds, prompt))
        }
    }

    override fun locate(accuracyM: Int, timeoutS: Int, answer: (Outcome<Fix>) -> Unit) = onMain {
        withPermission(Manifest.permission.ACCESS_FINE_LOCATION) { granted ->
            if (!granted) return@withPermission answer(Outcome.Failed(EffectFailure.DENIED))
            val manager = activity.getSystemService(LocationManager::class.java)
            val providers = listOf(LocationManager.GPS_PROVIDER, LocationManager.NETWORK_PROVIDER)
                .filter { manager != null && manager.isProviderEnabled(it) }
            if (manager == null || providers.isEmpty()) return@withPermission answer(Outcome.Failed(EffectFailure.UNAVAILABLE))
            PositionFix(manager, providers, accuracyM, timeoutS, answer).start()
        }
    }

    /**
     * The best fix of GPS and the network within the time the core gives, answered as soon as
     * one is as good as it asked for.
     */
    private inner class PositionFix(
        private val manager: LocationManager,
        private val providers: List<String>,
        private val accuracyM: Int,
        timeoutS: Int,
        private val answer: (Outcome<Fix>) -> Unit,
    ) : LocationListenerCompat {
        private var best: Location? = null
        private var answered = false
        private val timeoutMs = timeoutS * 1000L
        private val giveUp = Runnable { finish() }

        @SuppressLint("MissingPermission") // locate() asked for it; a withdrawal meanwhile is the SecurityException
        fun start() {
            try {
                for (provider in providers) {
                    LocationManagerCompat.requestLocationUpdates(
                        manager,
                        provider,
                        LocationRequestCompat.Builder(1000L).setQuality(LocationRequestCompat.QUALITY_HIGH_ACCURACY).build(),
                        ContextCompat.getMainExecutor(activity),
                        this,
                    )
                }
            } catch (e: SecurityException) {
                return finishWith(Outcome.Failed(EffectFailure.DENIED))
            }
            main.postDelayed(giveUp, timeoutMs)
        }

        override fun onLocationChanged(location: Location) {
            if (best.let { it == null || !it.hasAccuracy() || (location.hasAccuracy() && location.accuracy < it.accuracy) }) best = location
            if (location.hasAccuracy() && location.accuracy <= accuracyM) finish()
        }

        private fun finish() {
            val fix = best
            finishWith(
                if (fix == null) {
                    Outcome.Failed(EffectFailure.UNAVAILABLE)
                } else {
                    Outcome.Done(Fix(fix.latitude, fix.longitude, if (fix.hasAccuracy()) fix.accuracy.toDouble() else 9999.0))
                },
            )
        }

        private fun finishWith(outcome: Outcome<Fix>) {
            if (answered) return
            answered = true
            main.removeCallbacks(giveUp)
            LocationManagerCompat.removeUpdates(manager, this)
            answer(outcome)
        }
    }

    override fun unlock(prompt: String, answer: (Outcome<Unit>) -> Unit) = onMain {
        val keyguard = activity.getSystemService(KeyguardManager::class.java)
        @Suppress("DEPRECATION") // BiometricPrompt's credential fallback needs API 30; this works from 21.
        val ask = keyguard?.createConfirmDeviceCredentialIntent(null, prompt)
        // A phone without a screen lock has nothing to confirm: the phone itself is open.
        if (ask == null) return@onMain answer(Outcome.Done(Unit))
        unlockAnswer = answer
        confirmCredential.launch(ask)
    }

    override fun openMap(label: String, place: MapPlace) = onMain {
        for (link in MapLinks.all(label, place)) {
            val intent = Intent(Intent.ACTION_VIEW, Uri.parse(link.uri))
            link.app.packageName?.let(intent::setPackage)
            if (intent.resolveActivity(activity.packageManager) != null) {
                activity.startActivity(intent)
                return@onMain
            }
        }
        Toast.makeText(activity, R.string.no_map_app, Toast.LENGTH_LONG).show()
    }

    override fun call(number: String) = onMain {
        start(Intent(Intent.ACTION_DIAL, Uri.fromParts("tel", number, null)))
    }

    override fun share(path: String, mime: String, title: String) = onMain {
        val uri = FileProvider.getUriForFile(activity, authority(), File(path))
        val send = Intent(Intent.ACTION_SEND)
            .setType(mime)
            .putExtra(Intent.EXTRA_STREAM, uri)
            .putExtra(Intent.EXTRA_TITLE, title)
            .addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
        start(Intent.createChooser(send, title))
    }

    /** The HTML copy laid out by a WebView and handed to Android's print service (a printer, or a PDF). */
    override fun print(path: String, mime: String, title: String) = onMain {
        val html = File(path).readText()
        val view = WebView(activity)
        view.webViewClient = object : WebViewClient() {
            override fun onPageFinished(view: WebView, url: String?) {
                val printer = activity.getSystemService(PrintManager::class.java) ?: return
                printer.print(title, view.createPrintDocumentAdapter(title), PrintAttributes.Builder().build())
                printing = null
            }
        }
        // Held until the page is laid out (a WebView nobody holds may be collected first).
        printing = view
        // The copy is self-contained (data: URIs, a CSP that allows nothing else): no file access needed.
        view.loadDataWithBaseURL(null, html, mime, "UTF-8", null)
    }

    override fun scheduleSync(withinMinutes: Int) = SyncWorker.schedule(activity.applicationContext, withinMinutes)

    override fun notify(id: String, title: String, body: String, link: String, urgent: Boolean) =
        Notifications.show(activity.applicationContext, id, title, body, link, urgent)

    override fun keepScreenOn(on: Boolean) = onMain {
        if (on) activity.window.addFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON)
        else activity.window.clearFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON)
    }

    override fun forgetStoreKey() = doorstep.forgetStoreKey()

    private fun start(intent: Intent) {
        try {
            activity.startActivity(intent)
        } catch (e: ActivityNotFoundException) {
            // No dialer (a tablet), no share target: the effect has no answer to give.
        }
    }

    private fun authority() = "${activity.packageName}.files"
}
