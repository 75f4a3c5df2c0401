package app.doorstep.ui.screens

import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.assertTextContains
import app.doorstep.core.Event
import app.doorstep.core.HouseholdScreen
import app.doorstep.core.Office
import app.doorstep.core.OrderEvent
import app.doorstep.core.Screen
import app.doorstep.ui.UiPhone
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/**
 * The household file, reached by taps from Today through the office's order: drawn whole,
 * its phone called, a form started from it, and its timeline opening the order.
 */
class HouseholdScreenTest {
    @get:Rule val rule = createComposeRule()
    @get:Rule val tmp = TemporaryFolder()

    private fun UiPhone.household(): HouseholdScreen = (state.body as? Screen.Household)?.v1
        ?: error("expected the Household screen, got ${state.body::class.simpleName}")

    /** Today → the office's order → its household file, all by taps. */
    private fun openTheFile(phone: UiPhone, office: Office) {
        val today = (phone.state.body as Screen.Today).v1
        CrewDay.shownText(phone, today.lines.first { office.orderNumber in it.title }.title).performClick()
        rule.waitForIdle()
        val order = (phone.state.body as Screen.WorkOrder).v1
        val index = order.actions.indexOfFirst { it.event == OrderEvent.OPEN_HOUSEHOLD }
        CrewDay.tap(phone, "order.action.$index")
        phone.household()
    }

    @Test fun `a technician at the door reads the file and calls the household from it`() {
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), CrewDay.now()).use { phone ->
                CrewDay.enrolled(phone, office)
                openTheFile(phone, office)
                val file = phone.household()
                assertTrue("HZ-0001" in file.title, file.title)
                rule.onNodeWithTag("back").assertIsDisplayed()
                CrewDay.render(phone, "household")
                assertTrue(CrewDay.checkTouchTargets(phone) > 0, "household: every tappable element is big enough and says what it is")

                // Every part the core filled is drawn.
                file.account.forEach { CrewDay.shownText(phone, it.value).assertIsDisplayed() }
                CrewDay.shown(phone, "household.supply").assertIsDisplayed()
                CrewDay.shownText(phone, file.supply.status).assertIsDisplayed()
                CrewDay.shown(phone, "household.next").assertIsDisplayed()
                file.formStarts.forEach { CrewDay.shown(phone, "household.start." + it.templateId).assertIsDisplayed() }
                CrewDay.shown(phone, "household.navigate").assertIsDisplayed()

                // The phone's Call button: the dialer gets the number.
                val phoneLine = file.phones.first()
                assertEquals("13812345678", phoneLine.number)
                CrewDay.tap(phone, "household.call.0")
                assertEquals(listOf("call 13812345678"), phone.platform.done.filter { it.startsWith("call ") })
                phone.household()

                // The timeline opens the office's order.
                val opening = file.timeline.indexOfFirst { it.opens != null }
                assertTrue(opening >= 0, file.timeline.map { it.text }.toString())
                CrewDay.tap(phone, "household.timeline.$opening")
                val order = (phone.state.body as? Screen.WorkOrder)?.v1
                assertTrue(order != null && office.orderNumber in order.title, phone.state.body.toString())
            }
        }
    }

    @Test fun `a safety education is started from the file's own button`() {
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), CrewDay.now()).use { phone ->
                CrewDay.enrolled(phone, office)
                openTheFile(phone, office)
                val start = phone.household().formStarts.first { it.templateId == "safety_education" }
                CrewDay.shownText(phone, start.action.label).assertIsDisplayed()
                CrewDay.tap(phone, "household.start.safety_education")
                val form = CrewDay.form(phone)
                assertTrue("HZ-0001" in form.subtitle, form.subtitle)

                // Back on the file: the start now continues the draft.
                rule.onNodeWithTag("back").performClick()
                rule.waitForIdle()
                val again = phone.household().formStarts.first { it.templateId == "safety_education" }
                assertTrue(again.action.label != start.action.label, again.action.label)
                CrewDay.shownText(phone, again.action.label).assertIsDisplayed()
            }
        }
    }

    @Test fun `a link to a file or an order not on this phone shows the core's message with Back`() {
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), CrewDay.now()).use { phone ->
                CrewDay.enrolled(phone, office)
                // A notification's link, as the Activity sends it when tapped.
                CrewDay.send(phone, Event.OpenLink("doorstep://household/0193a5e2-0000-7000-8000-000000000001"))
                val file = phone.household()
                val missing = assertNotNull(file.missing)
                rule.onNodeWithTag("message").assertTextContains(missing)
                rule.onNodeWithTag("back").assertIsDisplayed().performClick()
                rule.waitForIdle()
                assertTrue(phone.state.body is Screen.Today, phone.state.body.toString())

                CrewDay.send(phone, Event.OpenLink("doorstep://order/0193a5e2-0000-7000-8000-000000000002"))
                val order = (phone.state.body as? Screen.WorkOrder)?.v1 ?: error("expected the Work order screen")
                rule.onNodeWithTag("message").assertTextContains(assertNotNull(order.missing))
                rule.onNodeWithTag("back").assertIsDisplayed()
            }
        }
    }
}
