package app.doorstep.android

import android.content.Intent
import android.os.Bundle
import android.os.Handler
import android.os.Looper
import androidx.activity.ComponentActivity
import androidx.activity.OnBackPressedCallback
import androidx.activity.compose.setContent
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.lifecycle.DefaultLifecycleObserver
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.LifecycleOwner
import androidx.lifecycle.lifecycleScope
import app.doorstep.core.DoorstepApp
import app.doorstep.core.DoorstepException
import app.doorstep.core.Event
import app.doorstep.core.Language
import app.doorstep.core.ScreenState
import app.doorstep.ui.DoorstepUi
import app.doorstep.ui.shell.KeyVaultException
import app.doorstep.ui.shell.LocalImageFiles
import app.doorstep.ui.shell.Shell
import app.doorstep.ui.shell.ThreadWorkers
import app.doorstep.ui.theme.DoorstepTheme
import app.doorstep.ui.theme.Palette
import app.doorstep.ui.theme.Touch
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/**
 * The one Activity: opens the process's [DoorstepApp] (the store key from the Android Keystore),
 * puts it behind android/ui's [Shell] and draws [DoorstepUi]. It sends the app-wide events
 * (Resumed, Paused, a Tick each minute while shown, Back, OpenLink) and keeps across a process
 * death only the request numbers of the effects being carried out (docs/screens.md, "Process
 * death"). Everything else is the core's.
 */
class MainActivity : ComponentActivity() {
    private val doorstep get() = application as DoorstepApplication
    private val main = Handler(Looper.getMainLooper())
    private lateinit var platform: AndroidPlatform

    private var shell: Shell? by mutableStateOf(null)
    private var problem: Problem? by mutableStateOf(null)
    private var workers: ThreadWorkers? = null

    /** The effects being carried out when the process died, until the new Shell answers them. */
    private var restored: Map<ULong, String> = emptyMap()

    /** The camera's result when it arrived before the Shell was open again. */
    private var photoTaken: Boolean? = null

    /** A link that came before the Shell was open (the notification that started the app). */
    private var link: String? = null

    private val ticker = object : Runnable {
        override fun run() {
            shell?.tick()
            main.postDelayed(this, 60_000L)
        }
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        platform = AndroidPlatform(this, doorstep, photoAfterRestart = ::photoAfterRestart)
        restored = savedInstanceState?.let(::awaitingFrom).orEmpty()
        link = linkOf(intent)

        onBackPressedDispatcher.addCallback(this, object : OnBackPressedCallback(true) {
            override fun handleOnBackPressed() {
                val shown = shell
                if (shown != null && shown.state.canGoBack) {
                    shown.send(Event.Back)
                } else {
                    // The core's first screen: the system leaves the app.
                    isEnabled = false
                    onBackPressedDispatcher.onBackPressed()
                    isEnabled = true
                }
            }
        })

        lifecycle.addObserver(object : DefaultLifecycleObserver {
            override fun onStart(owner: LifecycleOwner) {
                main.postDelayed(ticker, 60_000L)
            }

            override fun onResume(owner: LifecycleOwner) {
                shell?.send(Event.Resumed)
            }

            override fun onPause(owner: LifecycleOwner) {
                shell?.send(Event.Paused)
            }

            override fun onStop(owner: LifecycleOwner) {
                main.removeCallbacks(ticker)
            }
        })

        setContent {
            DoorstepTheme {
                CompositionLocalProvider(LocalImageFiles provides BitmapImageFiles) {
                    val shown = shell
                    val trouble = problem
                    when {
                        shown != null -> DoorstepUi(shown)
                        trouble != null -> ProblemUi(trouble)
                        else -> Box(Modifier.fillMaxSize())
                    }
                }
            }
        }

        // A wipe: the wiped app's last screen (Enroll, saying the device was stopped and its data
        // cleared) stays drawn over the new app until the technician acts.
        doorstep.onReopened = { main.post { open(keep = shell?.state) } }
        doorstep.onScreenChanged = { shell?.refresh() }
        platform.askForNotifications()
        open()
    }

    /**
     * Opens the app off the main thread (the store is opened, maybe upgraded), then shows it;
     * [keep]: the screen to draw until the first event instead of the new app's own.
     */
    private fun open(startOver: Boolean = false, keep: ScreenState? = null) {
        shell = null
        problem = null
        lifecycleScope.launch {
            val opened = withContext(Dispatchers.IO) {
                try {
                    val app = if (startOver) doorstep.startOver() else doorstep.app()
                    Opened.Ready(app, app.screen())
                } catch (e: KeyVaultException.Unreadable) {
                    Opened.Failed(Problem.KEY_UNREADABLE)
                } catch (e: KeyVaultException.Lost) {
                    Opened.Failed(Problem.KEY_LOST)
                } catch (e: DoorstepException) {
                    Opened.Failed(Problem.STORE)
                } catch (e: java.io.IOException) {
                    Opened.Failed(Problem.STORE) // the wrapped key's file could not be read or written
                }
            }
            when (opened) {
                is Opened.Failed -> problem = opened.problem
                is Opened.Ready -> show(opened.app, keep ?: opened.screen, resumed = keep == null)
            }
        }
    }

    private fun show(app: DoorstepApp, screen: ScreenState, resumed: Boolean = true) {
        workers?.close()
        val threads = ThreadWorkers { main.post(it) }
        workers = threads
        // The language of the core's refusals until the technician picks one (the Shell follows SetLanguage).
        val language = if (resources.configuration.locales[0].language == "zh") Language.ZH else Language.EN
        val opened = Shell(app, platform, threads, screen, language, doorstep.syncing)
        shell = opened

        // After a process death: the photo the camera wrote is answered, the rest cancelled.
        opened.effects.restore(restored)
        for ((request, kind) in restored) {
            if (kind == "photo") photoTaken?.let { opened.effects.photoTakenAfterRestart(request, it) } else opened.effects.abandon(request)
        }
        restored = emptyMap()
        photoTaken = null

        if (resumed && lifecycle.currentState.isAtLeast(Lifecycle.State.RESUMED)) opened.send(Event.Resumed)
        link?.let { opened.send(Event.OpenLink(it)) }
        link = null
    }

    /** The camera came back after a process death: its request was restored with the Shell (or will be). */
    private fun photoAfterRestart(taken: Boolean) {
        val shown = shell
        val request = shown?.effects?.awaiting()?.entries?.firstOrNull { it.value == "photo" }?.key
        if (shown != null && request != null) shown.effects.photoTakenAfterRestart(request, taken) else photoTaken = taken
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        val opened = linkOf(intent) ?: return
        shell?.send(Event.OpenLink(opened)) ?: run { link = opened }
    }

    override fun onSaveInstanceState(outState: Bundle) {
        super.onSaveInstanceState(outState)
        val awaiting = shell?.effects?.awaiting() ?: restored
        outState.putLongArray(REQUESTS, awaiting.keys.map { it.toLong() }.toLongArray())
        outState.putStringArray(KINDS, awaiting.keys.map { awaiting.getValue(it) }.toTypedArray())
    }

    override fun onDestroy() {
        doorstep.onReopened = null
        doorstep.onScreenChanged = null
        workers?.close()
        super.onDestroy()
    }

    @Composable
    private fun ProblemUi(trouble: Problem) {
        Column(
            Modifier.fillMaxSize().padding(Touch.Edge),
            verticalArrangement = Arrangement.spacedBy(Touch.Gap),
        ) {
            Text(stringResource(R.string.key_problem_title), style = MaterialTheme.typography.headlineSmall, color = Palette.Ink)
            Text(stringResource(trouble.words), style = MaterialTheme.typography.bodyLarge, color = Palette.Ink)
            Button(onClick = { open() }, modifier = Modifier.fillMaxWidth().heightIn(min = Touch.Primary)) {
                Text(stringResource(R.string.try_again))
            }
            if (trouble != Problem.STORE) {
                Text(stringResource(R.string.start_over_explained), style = MaterialTheme.typography.bodyMedium, color = Palette.InkMuted)
                OutlinedButton(onClick = { open(startOver = true) }, modifier = Modifier.fillMaxWidth().heightIn(min = Touch.Primary)) {
                    Text(stringResource(R.string.start_over))
                }
            }
        }
    }

    /** Why the app cannot show the core's screens: the app's own words (res/values*). */
    private enum class Problem(val words: Int) {
        KEY_UNREADABLE(R.string.key_unreadable),
        KEY_LOST(R.string.key_lost),
        STORE(R.string.store_unopenable),
    }

    private sealed interface Opened {
        class Ready(val app: DoorstepApp, val screen: ScreenState) : Opened

        class Failed(val problem: Problem) : Opened
    }

    private companion object {
        const val REQUESTS = "doorstep.requests"
        const val KINDS = "doorstep.kinds"

        fun linkOf(intent: Intent?): String? = intent?.data?.takeIf { it.scheme == "doorstep" }?.toString()

        fun awaitingFrom(saved: Bundle): Map<ULong, String> {
            val requests = saved.getLongArray(REQUESTS) ?: return emptyMap()
            val kinds = saved.getStringArray(KINDS) ?: return emptyMap()
            return requests.indices.filter { it < kinds.size }.associate { requests[it].toULong() to kinds[it] }
        }
    }
}
