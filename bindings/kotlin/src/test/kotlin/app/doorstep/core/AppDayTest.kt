package app.doorstep.core

import java.nio.file.Path
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/**
 * User story (issue 23): a technician's day driven only through the app's events, against the
 * real library and a real `doorstep serve`, as the Android shell will drive it: enroll on the
 * Enroll screen, sync, read Today in Chinese and in English, open a household, and the office
 * sees when the urgent order reached the phone. The same story as
 * bindings/python/tests/test_app_day.py; the later steps of the day (a form with a photo and two
 * signatures, a hazard, a repair closed with a charge, a special group, an outage notice) are
 * added here as one function each, in the order of the day.
 */
class AppDayTest {
    @TempDir
    lateinit var tmp: Path

    @Test
    fun `an inspector enrolls, syncs and finds the office's work on Today`() = Office.open(tmp).use { office ->
        Phone.open(tmp.resolve("phone")).use { phone ->
            val enroll = phone.on<Screen.Enroll>().v1
            assertEquals("", enroll.server.value)
            phone.enroll(office.url, office.enrollmentCode())

            // Enrolled: Today, and the first sync the core asked for has run.
            assertEquals(1, phone.syncs)
            var today = phone.on<Screen.Today>().v1
            assertEquals("今日工作", today.title)
            assertTrue("周建国" in today.technician && "HZ1024" in today.technician, today.technician)
            assertFalse(phone.screen.canGoBack, "Today is the first screen: Back leaves the app")
            val orderLine = today.lines.first { it.orderId != null }
            assertTrue(office.orderNumber in orderLine.title, orderLine.title)
            assertTrue("文三路88号" in orderLine.address, orderLine.address)
            assertTrue(orderLine.accessibility.isNotEmpty())

            // The same screen in English.
            phone.send(Event.SetLanguage(Language.EN))
            today = phone.on<Screen.Today>().v1
            assertEquals("Today", today.title)
            assertTrue("badge HZ1024" in today.technician, today.technician)
            phone.send(Event.SetLanguage(Language.ZH))

            // Five minutes on, the core asks for a sync by itself; that pull tells the server
            // the order reached the phone.
            phone.tick(5)
            assertEquals(2, phone.syncs)
            val delivery = office.admin("order", "delivery", office.orderNumber).lines()
            assertTrue(delivery[1].startsWith("reached_phone\t20"), delivery.toString())
            assertEquals("accepted\t-\tnot yet", delivery[2])
            assertEquals(1L, office.count("SELECT count(*) FROM devices"))

            openAHousehold(phone, assertNotNull(orderLine.householdId))
        }
    }

    /** From Today to the household's file, and Back. */
    private fun openAHousehold(phone: Phone, household: String) {
        phone.send(Event.Today(TodayEvent.OpenHousehold(household)))
        phone.on<Screen.Household>()
        assertTrue(phone.screen.canGoBack)
        assertEquals("返回", phone.screen.backLabel)
        phone.back()
        phone.on<Screen.Today>()
    }

    @Test
    fun `the app killed on the Enroll screen reopens with what was typed`() {
        Phone.open(tmp.resolve("phone")).use { phone ->
            phone.send(Event.Enroll(EnrollEvent.SetServer("https://doorstep.hz-gas.example")))
            phone.send(Event.Enroll(EnrollEvent.SetCode("7K2Q-9XWD")))
            val before = phone.app.screen()
            phone.reopen()
            assertEquals(before, phone.app.screen())
            assertEquals("https://doorstep.hz-gas.example", phone.on<Screen.Enroll>().v1.server.value)
        }
    }

    @Test
    fun `an event for another screen is refused and changes nothing`() {
        Phone.open(tmp.resolve("phone")).use { phone ->
            val before = phone.app.screen()
            val refused = assertFailsWith<DoorstepException.WrongScreen> {
                phone.send(Event.Today(TodayEvent.Refresh))
            }
            assertEquals("enroll", refused.screen)
            assertEquals(before, phone.app.screen())
        }
    }
}
