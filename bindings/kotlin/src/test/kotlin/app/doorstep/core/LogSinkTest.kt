package app.doorstep.core

import java.nio.file.Files
import java.nio.file.Path
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/**
 * User story: when the phone's store breaks, the app's log (Android's logcat through the
 * shell's sink) says what failed and why, without the technician's or a customer's data, so
 * that support can tell a full disk from a bad key.
 */
class LogSinkTest {
    @TempDir
    lateinit var tmp: Path

    private class Kept : LogSink {
        val lines = java.util.concurrent.CopyOnWriteArrayList<Triple<LogLevel, String, String>>()

        override fun log(level: LogLevel, target: String, message: String) {
            lines.add(Triple(level, target, message))
        }
    }

    @Test
    fun `a damaged store is logged to the shell's sink with its cause and refused as Storage`() {
        val kept = Kept()
        assertTrue(setLogSink(kept, LogLevel.WARN), "no other tracing subscriber in this JVM")
        val folder = tmp.resolve("phone")
        DoorstepApp.openWithTime(folder.toString(), generateStoreKey(), Language.ZH, "junit", "2026-12-07T09:00:00+08:00")
            .destroy()
        // The disk gives back garbage where the store was.
        Files.write(folder.resolve("doorstep.db"), ByteArray(8192) { (it * 31).toByte() })

        assertFailsWith<DoorstepException.Storage> {
            DoorstepApp.openWithTime(folder.toString(), generateStoreKey(), Language.ZH, "junit", "2026-12-07T09:00:00+08:00")
        }
        val errors = kept.lines.filter { it.first == LogLevel.ERROR }
        assertTrue(errors.isNotEmpty(), "nothing logged: ${kept.lines}")
        assertTrue(errors.all { it.second.startsWith("doorstep") }, errors.toString())
        assertTrue(errors.any { "cause=" in it.third }, errors.toString())
    }
}
