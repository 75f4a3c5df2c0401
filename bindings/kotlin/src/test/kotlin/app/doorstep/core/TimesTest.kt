package app.doorstep.core

import java.time.Instant
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/**
 * User story: a deadline on the phone is the moment the service center set, whatever the
 * phone's time zone (bindings/python/tests/test_times.py in Python). Times cross as
 * milliseconds and arrive as `java.time.Instant`.
 */
class TimesTest {
    @Test
    fun `a deadline crosses as an instant and reads in the service center's zone`() {
        // 15:00 UTC is 23:00 in the service center's zone (UTC+8).
        val due = Instant.parse("2026-11-28T15:00:00.123456Z")
        val reason = WorkReason.Deadline(milestone = Milestone.REPAIR, dueAt = due, breached = false)
        val english = describeWorkReason(reason, Language.EN)
        assertTrue("11-28 23:00" in english, english)
        val chinese = describeWorkReason(reason, Language.ZH)
        assertTrue("11-28 23:00" in chinese, chinese)
    }
}
