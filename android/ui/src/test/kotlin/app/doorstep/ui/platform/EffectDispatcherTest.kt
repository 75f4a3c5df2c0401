package app.doorstep.ui.platform

import app.doorstep.core.DoorstepApp
import app.doorstep.core.Effect
import app.doorstep.core.EnrollEvent
import app.doorstep.core.FormEvent
import app.doorstep.core.Language
import app.doorstep.core.Office
import app.doorstep.core.Screen
import app.doorstep.core.TodayEvent
import app.doorstep.core.generateStoreKey
import app.doorstep.ui.TestPlatform
import app.doorstep.ui.shell.InlineWorkers
import app.doorstep.ui.shell.Shell
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import org.junit.rules.TemporaryFolder
import app.doorstep.core.EffectFailure
import app.doorstep.core.Event
import app.doorstep.core.MapPlace
import app.doorstep.core.Symbology
import app.doorstep.ui.shell.EffectDispatcher
import app.doorstep.ui.shell.Fix
import app.doorstep.ui.shell.Outcome
import app.doorstep.ui.shell.Platform
import app.doorstep.ui.shell.ThreadWorkers
import java.util.Collections
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import org.junit.Rule
import org.junit.Test

/** Every effect reaches the platform, and every answer reaches the core once, with its request number. */
class EffectDispatcherTest {
    @get:Rule val tmp = TemporaryFolder()

    /** A platform that keeps each answer to give it when the test says (as a camera returns later). */
    private class HeldPlatform : Platform {
        val calls = mutableListOf<String>()
        val photo = mutableMapOf<String, (Outcome<Unit>) -> Unit>()
        var scanAnswer: ((Outcome<String>) -> Unit)? = null
        var locateAnswer: ((Outcome<Fix>) -> Unit)? = null
        var unlockAnswer: ((Outcome<Unit>) -> Unit)? = null

        override fun takePhoto(path: String, prompt: String, answer: (Outcome<Unit>) -> Unit) {
            calls += "photo $path $prompt"
            photo[path] = answer
        }

        override fun scan(kinds: List<Symbology>, prompt: String, answer: (Outcome<String>) -> Unit) {
            calls += "scan $kinds $prompt"
            scanAnswer = answer
        }

        override fun locate(accuracyM: Int, timeoutS: Int, answer: (Outcome<Fix>) -> Unit) {
            calls += "locate $accuracyM $timeoutS"
            locateAnswer = answer
        }

        override fun unlock(prompt: String, answer: (Outcome<Unit>) -> Unit) {
            calls += "unlock $prompt"
            unlockAnswer = answer
        }

        override fun openMap(label: String, place: MapPlace) {
            calls += "map $label ${place.gcj02Lat}"
        }

        override fun call(number: String) {
            calls += "call $number"
        }

        override fun share(path: String, mime: String, title: String) {
            calls += "share $path $mime $title"
        }

        override fun print(path: String, mime: String, title: String) {
            calls += "print $path $mime $title"
        }

        override fun scheduleSync(withinMinutes: Int) {
            calls += "schedule $withinMinutes"
        }

        override fun notify(id: String, title: String, body: String, link: String, urgent: Boolean) {
            calls += "notify $id $link $urgent"
        }

        override fun keepScreenOn(on: Boolean) {
            calls += "screen on $on"
        }

        override fun forgetStoreKey() {
            calls += "forget key"
        }
    }

    private val platform = HeldPlatform()
    private val answers = mutableListOf<Event>()
    private var syncs = 0
    private var enrollments = 0
    private val dispatcher = EffectDispatcher(platform, answer = { answers += it }, runSync = { syncs++ }, runEnrollment = { enrollments++ })

    @Test fun `each effect reaches the platform with what the core gave`() {
        val place = MapPlace(30.2589, 120.1495, 30.256414, 120.154146)
        dispatcher.carryOut(
            listOf(
                Effect.TakePhoto(1u, "/app/photos/1.jpg", "拍摄燃气表"),
                Effect.Scan(2u, listOf(Symbology.BARCODE, Symbology.QR), "扫描封签"),
                Effect.Locate(3u, 50u, 20u),
                Effect.Unlock(4u, "解锁"),
                Effect.OpenMap("北山街 3幢", place),
                Effect.Call("0571-87000000"),
                Effect.Share("/app/copies/r.pdf", "application/pdf", "回执"),
                Effect.Print("/app/copies/r.html", "text/html", "回执"),
                Effect.ScheduleSync(15u),
                Effect.Notify("order-1", "紧急工单", "剩 28 分", "doorstep://order/1", true),
                Effect.KeepScreenOn(true),
                Effect.ForgetStoreKey,
                Effect.SyncNow,
                Effect.RunEnrollment,
            ),
        )
        assertEquals(
            listOf(
                "photo /app/photos/1.jpg 拍摄燃气表",
                "scan [BARCODE, QR] 扫描封签",
                "locate 50 20",
                "unlock 解锁",
                "map 北山街 3幢 30.256414",
                "call 0571-87000000",
                "share /app/copies/r.pdf application/pdf 回执",
                "print /app/copies/r.html text/html 回执",
                "schedule 15",
                "notify order-1 doorstep://order/1 true",
                "screen on true",
                "forget key",
            ),
            platform.calls,
        )
        assertEquals(1, syncs)
        assertEquals(1, enrollments)
        assertEquals(mapOf(1uL to "photo", 2uL to "scan", 3uL to "locate", 4uL to "unlock"), dispatcher.awaiting())
        assertEquals(emptyList(), answers, "nothing is answered before the platform answers")
    }

    @Test fun `each answer becomes the core's event with its request number, once`() {
        dispatcher.carryOut(
            listOf(
                Effect.TakePhoto(7u, "/p/7.jpg", "p"),
                Effect.Scan(8u, listOf(Symbology.QR), "s"),
                Effect.Locate(9u, 50u, 20u),
                Effect.Unlock(10u, "u"),
            ),
        )
        platform.scanAnswer!!(Outcome.Done("HZ-0001"))
        platform.locateAnswer!!(Outcome.Done(Fix(30.27, 120.12, 6.5)))
        platform.photo.getValue("/p/7.jpg")(Outcome.Done(Unit))
        platform.unlockAnswer!!(Outcome.Failed(EffectFailure.CANCELLED))
        assertEquals(
            listOf(
                Event.Scanned(8u, "HZ-0001"),
                Event.Located(9u, 30.27, 120.12, 6.5),
                Event.PhotoTaken(7u),
                Event.EffectFailed(10u, EffectFailure.CANCELLED),
            ),
            answers,
        )
        // A platform calling back a second time (a camera's late result, a double tap) changes nothing.
        platform.scanAnswer!!(Outcome.Done("HZ-0002"))
        platform.photo.getValue("/p/7.jpg")(Outcome.Failed(EffectFailure.DENIED))
        assertEquals(4, answers.size)
        assertEquals(emptyMap(), dispatcher.awaiting())
    }

    @Test fun `a camera open when Android killed the app is answered after the restart, and a lost request is cancelled`() {
        dispatcher.carryOut(listOf(Effect.TakePhoto(21u, "/p/21.jpg", "p"), Effect.Scan(22u, listOf(Symbology.QR), "s")))
        val saved = dispatcher.awaiting() // onSaveInstanceState

        // The new process: a new dispatcher, told what was being carried out.
        val after = mutableListOf<Event>()
        val restarted = EffectDispatcher(platform, answer = { after += it }, runSync = {}, runEnrollment = {})
        restarted.restore(saved)
        assertEquals(saved, restarted.awaiting())
        restarted.photoTakenAfterRestart(21u, taken = true)
        restarted.abandon(22u) // the scanner's frames are gone with the process
        assertEquals(listOf(Event.PhotoTaken(21u), Event.EffectFailed(22u, EffectFailure.CANCELLED)), after)

        // Answered once: the same result delivered again, or a number never saved, is ignored.
        restarted.photoTakenAfterRestart(21u, taken = true)
        restarted.abandon(22u)
        restarted.abandon(99u)
        restarted.photoTakenAfterRestart(98u, taken = false)
        assertEquals(2, after.size)

        // A camera that came back without a picture is Cancelled.
        restarted.restore(mapOf(30uL to "photo"))
        restarted.photoTakenAfterRestart(30u, taken = false)
        assertEquals(Event.EffectFailed(30u, EffectFailure.CANCELLED), after.last())
    }

    @Test fun `a photo taken while Android killed the app reaches the form it was taken for after the restart`() {
        Office.open(tmp.root.toPath()).use { office ->
            val folder = tmp.newFolder("phone").path
            val key = generateStoreKey()
            val camera = HeldPlatform()
            var app = DoorstepApp.openWithTime(folder, key, Language.ZH, "restart test", "2026-12-07T09:00:00+08:00")
            val shell = Shell(app, camera, InlineWorkers, app.screen(), Language.ZH)
            shell.send(Event.Enroll(EnrollEvent.SetServer(office.url)))
            shell.send(Event.Enroll(EnrollEvent.SetCode(office.enrollmentCode())))
            shell.send(Event.Enroll(EnrollEvent.Submit))
            val household = (shell.state.body as Screen.Today).v1.lines.firstNotNullOf { it.householdId }
            shell.send(Event.Today(TodayEvent.OpenHousehold(household)))
            val start = (shell.state.body as Screen.Household).v1.formStarts.first { it.templateId == "shut_off" }
            shell.send(Event.Household(start.event))

            shell.send(Event.Form(FormEvent.TakePhoto("seal_photo")))
            val (path, _) = camera.photo.entries.single().toPair()
            val saved = shell.effects.awaiting() // onSaveInstanceState, with the camera open
            assertEquals(listOf("photo"), saved.values.toList())

            // Android kills the process; the camera app writes the picture meanwhile.
            val now = app.nowIso()
            app.destroy()
            Files.copy(TestPlatform.CAMERA.first(), Path.of(path), StandardCopyOption.REPLACE_EXISTING)

            // The new process: a new app over the same folder, a new Shell, the saved numbers.
            app = DoorstepApp.openWithTime(folder, key, Language.ZH, "restart test", now)
            app.use {
                val restarted = Shell(app, HeldPlatform(), InlineWorkers, app.screen(), Language.ZH)
                assertTrue(restarted.state.body is Screen.Form, "the same screen after the restart")
                restarted.effects.restore(saved)
                restarted.effects.photoTakenAfterRestart(saved.keys.single(), taken = true)
                val item = (restarted.state.body as Screen.Form).v1.sections.flatMap { it.items }.first { it.id == "seal_photo" }
                assertEquals(1, item.photos.size, "the photo is on the item it was taken for")
                assertEquals(null, restarted.refusal)
            }
        }
    }

    @Test fun `events sent from many threads are handled one at a time, in the order each thread sent them`() {
        val ui = Executors.newSingleThreadExecutor()
        val workers = ThreadWorkers { ui.execute(it) }
        val handled = Collections.synchronizedList(mutableListOf<Pair<Int, Int>>())
        val threads = mutableSetOf<String>()
        val running = java.util.concurrent.atomic.AtomicInteger()
        var overlap = false
        val done = CountDownLatch(4 * 250)
        val senders = (0 until 4).map { sender ->
            Thread {
                repeat(250) { n ->
                    workers.app {
                        if (running.incrementAndGet() > 1) overlap = true
                        threads += Thread.currentThread().name
                        handled += sender to n
                        running.decrementAndGet()
                        done.countDown()
                    }
                }
            }
        }
        senders.forEach(Thread::start)
        senders.forEach(Thread::join)
        assertTrue(done.await(20, TimeUnit.SECONDS))
        assertEquals(setOf("doorstep-app"), threads)
        assertTrue(!overlap, "never two at once")
        for (sender in 0 until 4) {
            assertEquals((0 until 250).toList(), handled.filter { it.first == sender }.map { it.second })
        }

        // The screen is published on the UI thread; a sync runs beside the app's events.
        val published = CountDownLatch(1)
        var uiThread: Thread? = null
        val syncStarted = CountDownLatch(1)
        val syncMayEnd = CountDownLatch(1)
        workers.network {
            syncStarted.countDown()
            syncMayEnd.await(10, TimeUnit.SECONDS)
        }
        assertTrue(syncStarted.await(10, TimeUnit.SECONDS))
        workers.app { workers.ui { uiThread = Thread.currentThread(); published.countDown() } }
        assertTrue(published.await(10, TimeUnit.SECONDS), "an event is handled while a sync runs")
        syncMayEnd.countDown()
        assertTrue(uiThread!!.name.startsWith("pool-"))
        workers.close()
        ui.shutdown()
    }
}
