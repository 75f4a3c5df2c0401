package app.doorstep.ui.platform

import app.doorstep.core.DoorstepException
import app.doorstep.core.DoorstepApp
import app.doorstep.core.Effect
import app.doorstep.core.EnrollEvent
import app.doorstep.core.Event
import app.doorstep.core.Language
import app.doorstep.core.Office
import app.doorstep.core.Screen
import app.doorstep.core.Update
import app.doorstep.core.generateStoreKey
import app.doorstep.ui.shell.SyncRunEnd
import app.doorstep.ui.shell.SyncSchedule
import app.doorstep.ui.shell.SyncVerdict
import kotlin.random.Random
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

/** The background sync's decisions: when WorkManager runs it, and what a run's end tells it. */
class SyncScheduleTest {
    @get:Rule val tmp = TemporaryFolder()

    @Test fun `every schedule is one unique networked job asked early enough to run within the core's minutes`() {
        val random = Random(25)
        val asked = (-5..200).toList() + List(500) { random.nextInt(0, 7 * 24 * 60) }
        for (within in asked) {
            val work = SyncSchedule.work(within)
            assertEquals(SyncSchedule.UNIQUE_NAME, work.uniqueName, "one name: a second schedule never runs a second sync")
            assertTrue(work.keepQueued, "a queued sync is kept, not replaced by one later")
            assertTrue(work.requiresNetwork)
            assertTrue(work.initialDelayMinutes >= 0, "within $within")
            assertTrue(work.initialDelayMinutes <= within.coerceAtLeast(0), "never later than asked: within $within")
            assertTrue(work.initialDelayMinutes + SyncSchedule.SLACK_MINUTES >= within, "the system's slack fits: within $within")
            assertTrue(work.backoffSeconds in 10..3600, "WorkManager takes back-offs from 10 s")
        }
        // What the core asks on Paused.
        assertEquals(5, SyncSchedule.work(15).initialDelayMinutes)
    }

    @Test fun `a run retries while offline, gives up on a refusing server in a few tries and never after a wipe`() {
        val random = Random(7)
        repeat(2000) {
            val end = SyncRunEnd.entries.random(random)
            val attempt = random.nextInt(0, 60)
            val verdict = SyncSchedule.verdict(end, attempt)
            val expected = when (end) {
                SyncRunEnd.DONE, SyncRunEnd.BUSY -> SyncVerdict.SUCCESS
                SyncRunEnd.NO_NETWORK, SyncRunEnd.STOPPED -> SyncVerdict.RETRY
                SyncRunEnd.SERVER_REFUSED -> if (attempt < SyncSchedule.REFUSED_TRIES - 1) SyncVerdict.RETRY else SyncVerdict.FAILURE
                SyncRunEnd.REVOKED, SyncRunEnd.NOT_ENROLLED, SyncRunEnd.BROKEN -> SyncVerdict.FAILURE
            }
            assertEquals(expected, verdict, "$end at attempt $attempt")
        }
        // A refusing server: tries 1..5 in all, then the job stops.
        val tries = generateSequence(0) { it + 1 }.takeWhile { SyncSchedule.verdict(SyncRunEnd.SERVER_REFUSED, it) == SyncVerdict.RETRY }.count() + 1
        assertEquals(SyncSchedule.REFUSED_TRIES, tries)
    }

    @Test fun `the errors a sync throws say how it ended`() {
        assertEquals(SyncRunEnd.NOT_ENROLLED, SyncSchedule.end(null, DoorstepException.NotEnrolled(), true))
        assertEquals(SyncRunEnd.STOPPED, SyncSchedule.end(null, DoorstepException.Cancelled(), true))
        assertEquals(SyncRunEnd.NO_NETWORK, SyncSchedule.end(null, DoorstepException.Network("x"), false))
        assertEquals(SyncRunEnd.SERVER_REFUSED, SyncSchedule.end(null, DoorstepException.Network("x"), true))
        assertEquals(SyncRunEnd.SERVER_REFUSED, SyncSchedule.end(null, DoorstepException.Auth("x"), true))
        assertEquals(SyncRunEnd.BROKEN, SyncSchedule.end(null, DoorstepException.Storage("x"), true))
    }

    @Test fun `a background sync with the server down is retried, and done once the server is back`() {
        Office.open(tmp.root.toPath()).use { office ->
            val app = DoorstepApp.openWithTime(tmp.newFolder("phone").path, generateStoreKey(), Language.ZH, "sync schedule test", "2026-12-07T09:00:00+08:00")
            app.use {
                app.handle(Event.Enroll(EnrollEvent.SetServer(office.url)))
                app.handle(Event.Enroll(EnrollEvent.SetCode(office.enrollmentCode())))
                app.handle(Event.Enroll(EnrollEvent.Submit))
                val enrolled = app.runEnrollment()
                assertTrue(enrolled.screen.body is Screen.Today)

                office.stop()
                val offline = app.runSync(null)
                assertNotNull(SyncSchedule.failureShown(offline.screen), "Today says the sync failed")
                assertEquals(SyncRunEnd.NO_NETWORK, SyncSchedule.end(offline, null, networkUp = false))
                assertEquals(SyncRunEnd.SERVER_REFUSED, SyncSchedule.end(offline, null, networkUp = true))
                assertEquals(SyncVerdict.RETRY, SyncSchedule.verdict(SyncSchedule.end(offline, null, false), 0))

                office.start()
                val back = app.runSync(null)
                assertNull(SyncSchedule.failureShown(back.screen))
                assertEquals(SyncRunEnd.DONE, SyncSchedule.end(back, null, networkUp = true))
                assertEquals(SyncVerdict.SUCCESS, SyncSchedule.verdict(SyncRunEnd.DONE, 1))

                val wiped = Update(back.screen, listOf(Effect.ForgetStoreKey))
                assertEquals(SyncRunEnd.REVOKED, SyncSchedule.end(wiped, null, networkUp = true))
            }
        }
    }
}
