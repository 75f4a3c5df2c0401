package app.doorstep.android

import android.app.Application
import android.os.Build
import android.util.Log
import app.doorstep.core.DoorstepApp
import app.doorstep.core.DoorstepException
import app.doorstep.core.Language
import app.doorstep.core.LogLevel
import app.doorstep.core.LogSink
import app.doorstep.core.setLogSink
import app.doorstep.ui.shell.FileKeyStorage
import app.doorstep.ui.shell.KeyVault
import java.io.File
import java.util.Locale
import java.util.concurrent.atomic.AtomicBoolean

/**
 * The process: the one [DoorstepApp] the Activity and the background sync share (two objects
 * over one store would write past each other), its store key ([vault]), and the gate that keeps
 * two syncs from running at once ([syncing], shared with the Activity's Shell).
 */
class DoorstepApplication : Application() {
    val syncing = AtomicBoolean(false)

    /** The app's private folder for the core: the store, the photo vault, the files for the shell. */
    val storeDir: File get() = File(filesDir, "doorstep")

    val vault: KeyVault by lazy {
        KeyVault(
            wrapper = AndroidKeystore.wrapper(),
            // noBackupFilesDir: never in a backup (a key restored elsewhere could not unwrap anyway).
            storage = FileKeyStorage(File(noBackupFilesDir, "store-key.wrapped")),
            storeExists = { File(storeDir, "doorstep.db").exists() },
        )
    }

    private var opened: DoorstepApp? = null

    /** Told when the app object was replaced (a wipe): the Activity draws the new one. */
    @Volatile var onReopened: (() -> Unit)? = null

    /** Told when the background sync changed what the screen shows: the Activity's Shell redraws. */
    @Volatile var onScreenChanged: (() -> Unit)? = null

    override fun onCreate() {
        super.onCreate()
        Notifications.createChannels(this)
        // The library's log (failures with their causes, never personal data) into logcat.
        setLogSink(LogcatSink, if (BuildConfig.DEBUG) LogLevel.DEBUG else LogLevel.INFO)
    }

    /**
     * The process's app, opened on first use. Blocks (the store is opened and upgraded): call
     * it off the main thread. Throws [app.doorstep.ui.shell.KeyVaultException] when the key
     * cannot be given and [DoorstepException] when the store cannot be opened.
     */
    @Synchronized
    fun app(): DoorstepApp = opened ?: DoorstepApp.open(storeDir.path, vault.keyHex(), language(), deviceModel()).also { opened = it }

    /**
     * The technician chose to start over on a store whose key is lost or unreadable: a new key;
     * the core sets the old store aside (kept, unread) and opens a new one to enroll.
     */
    @Synchronized
    fun startOver(): DoorstepApp {
        opened?.destroy()
        opened = null
        vault.forget()
        val key = vault.keyHex(overExistingStore = true)
        val app = try {
            DoorstepApp.open(storeDir.path, key, language(), deviceModel())
        } catch (e: DoorstepException) {
            // The first open with the new key moves the old store aside and says so; the second opens a new one.
            DoorstepApp.open(storeDir.path, key, language(), deviceModel())
        }
        opened = app
        return app
    }

    /**
     * The device was revoked and wiped (`ForgetStoreKey`): the key goes, this app object is
     * dropped, and a new one is opened with a new key to enroll again.
     */
    @Synchronized
    fun forgetStoreKey() {
        opened?.destroy()
        opened = null
        vault.forget()
        onReopened?.invoke()
    }

    /** The first language, before the technician picks one in Settings (the core keeps that choice). */
    private fun language(): Language = if (Locale.getDefault().language == "zh") Language.ZH else Language.EN

    /** Told to the server at enrollment: the model, nothing about the person. */
    private fun deviceModel(): String = "${Build.MANUFACTURER} ${Build.MODEL} (Android ${Build.VERSION.RELEASE})"
}

/** The library's log lines in logcat under the tag `doorstep`, with the module that logged them. */
private object LogcatSink : LogSink {
    override fun log(level: LogLevel, target: String, message: String) {
        val priority = when (level) {
            LogLevel.ERROR -> Log.ERROR
            LogLevel.WARN -> Log.WARN
            LogLevel.INFO -> Log.INFO
            LogLevel.DEBUG -> Log.DEBUG
            LogLevel.TRACE -> Log.VERBOSE
        }
        Log.println(priority, "doorstep", "$target: $message")
    }
}
