package app.doorstep.ui.screens

import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.assertTextContains
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import app.doorstep.core.Event
import app.doorstep.core.FeesScreen
import app.doorstep.core.FormChargeLine
import app.doorstep.core.FormEvent
import app.doorstep.core.OrderEvent
import app.doorstep.core.Paper
import app.doorstep.core.PaymentMethod
import app.doorstep.core.Office
import app.doorstep.core.Screen
import app.doorstep.ui.UiPhone
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** Fees and settlement: the day shown moves back and forth by taps, never past today. */
class FeesScreenTest {
    @get:Rule val rule = createComposeRule()
    @get:Rule val tmp = TemporaryFolder()

    private fun UiPhone.fees(): FeesScreen = (state.body as? Screen.Fees)?.v1
        ?: error("expected the Fees screen, got ${state.body::class.simpleName}")

    @Test fun `a technician looks back at yesterday's takings and returns to today`() {
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), CrewDay.now()).use { phone ->
                CrewDay.enrolled(phone, office)
                CrewDay.tap(phone, "today.fees")
                val today = phone.fees()
                assertTrue(today.isToday)
                CrewDay.render(phone, "fees-today")
                assertTrue(CrewDay.checkTouchTargets(phone) > 0, "fees-today: every tappable element is big enough and says what it is")
                rule.onNodeWithTag("fees.day").assertTextContains(today.day)
                // Nothing collected yet: the core's words for an empty day, the total, the settlement.
                CrewDay.shownText(phone, assertNotNull(today.empty)).assertIsDisplayed()
                CrewDay.shownText(phone, today.total).assertIsDisplayed()
                CrewDay.shownText(phone, today.settlement).assertIsDisplayed()
                // Today is the last day: Next is disabled and says why; there is no "today" button.
                rule.onNodeWithTag("fees.next").assertIsNotEnabled()
                rule.onNodeWithText(assertNotNull(today.next.disabledReason)).assertIsDisplayed()
                assertNull(today.today)

                CrewDay.tap(phone, "fees.previous")
                val yesterday = phone.fees()
                assertFalse(yesterday.isToday)
                assertNotEquals(today.day, yesterday.day)
                rule.onNodeWithTag("fees.day").assertTextContains(yesterday.day)
                rule.onNodeWithTag("fees.next").assertIsEnabled()

                CrewDay.tap(phone, "fees.previous")
                val before = phone.fees().day
                assertNotEquals(yesterday.day, before)
                CrewDay.tap(phone, "fees.next")
                assertEquals(yesterday.day, phone.fees().day)

                CrewDay.tap(phone, "fees.previous")
                CrewDay.tap(phone, "fees.today")
                assertTrue(phone.fees().isToday)
                assertEquals(today.day, phone.fees().day)
                rule.onNodeWithTag("fees.day").assertTextContains(today.day)
            }
        }
    }

    @Test fun `a repair's fee collected in cash is on the day's hand-in, and its receipt opens to be printed`() {
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), CrewDay.now()).use { phone ->
                CrewDay.enrolled(phone, office)
                // The office's fault taken to on site and closed by taps; the closing form answered.
                val today = (phone.state.body as Screen.Today).v1
                CrewDay.shownText(phone, today.lines.first { office.orderNumber in it.title }.title).performClick()
                rule.waitForIdle()
                for (event in listOf(OrderEvent.ACCEPT, OrderEvent.ON_THE_WAY, OrderEvent.CHECK_IN, OrderEvent.CLOSE)) {
                    val order = (phone.state.body as Screen.WorkOrder).v1
                    CrewDay.tap(phone, "order.action." + order.actions.indexOfFirst { it.event == event })
                }
                val valve = listOf(FormChargeLine("更换灶前阀", 1L, 3500L))
                CrewDay.send(phone, Event.Form(FormEvent.Charges("charges", valve, PaymentMethod.CASH, "R-7")))
                CrewDay.fillForm(
                    phone,
                    signer = "张伟",
                    answers = mapOf("fault_category" to "valve", "repair_result" to "repaired", "charge_note" to "更换灶前阀一只"),
                )
                CrewDay.send(phone, Event.Form(FormEvent.Seal))
                rule.onNodeWithTag("back").performClick()
                rule.waitForIdle()

                // The order shows what was charged.
                val order = (phone.state.body as Screen.WorkOrder).v1
                assertEquals("¥35.00", order.charges.single().total)
                CrewDay.shown(phone, "order.charge.0").assertIsDisplayed()
                CrewDay.shownText(phone, assertNotNull(order.chargesTotal)).assertIsDisplayed()
                CrewDay.render(phone, "order-charged")
                assertTrue(CrewDay.checkTouchTargets(phone) > 0, "order-charged: every tappable element is big enough and says what it is")
                rule.onNodeWithTag("back").performClick()
                rule.waitForIdle()

                CrewDay.tap(phone, "today.fees")
                val fees = phone.fees()
                val collection = fees.collections.single()
                CrewDay.shown(phone, "fees.collection." + collection.formId).assertIsDisplayed()
                CrewDay.shownText(phone, collection.receipt).assertIsDisplayed()
                CrewDay.shown(phone, "fees.hand_in").assertIsDisplayed()
                CrewDay.shownText(phone, fees.handIn.single().amount).assertIsDisplayed()
                CrewDay.shownText(phone, fees.total).assertIsDisplayed()
                CrewDay.render(phone, "fees-collected")
                assertTrue(CrewDay.checkTouchTargets(phone) > 0, "fees-collected: every tappable element is big enough and says what it is")

                CrewDay.tap(phone, "fees.open_receipt." + collection.formId)
                val copy = (phone.state.body as? Screen.Copy)?.v1 ?: error("expected the Copy screen")
                assertEquals(Paper.RECEIPT, copy.paper)
                rule.onNodeWithTag("copy.print").performClick()
                rule.waitForIdle()
                val printed = phone.platform.done.single { it.startsWith("print ") }.removePrefix("print ")
                assertTrue(java.nio.file.Files.readString(java.nio.file.Path.of(printed)).contains("R-7"), printed)
            }
        }
    }
}
