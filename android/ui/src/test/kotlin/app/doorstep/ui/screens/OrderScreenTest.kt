package app.doorstep.ui.screens

import androidx.compose.ui.test.assertHeightIsAtLeast
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextClearance
import androidx.compose.ui.test.performTextInput
import app.doorstep.core.ActionScreen
import app.doorstep.core.Office
import app.doorstep.core.OrderEvent
import app.doorstep.core.Screen
import app.doorstep.core.TodayScreen
import app.doorstep.core.WorkOrderScreen
import app.doorstep.ui.UiPhone
import app.doorstep.ui.theme.Touch
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * The Work order and Action screens, tapped through on a phone enrolled at a real office: a
 * crew member takes the office's pipeline fault from acceptance to on site, and another hands
 * an order back with a reason typed on the Action screen.
 */
class OrderScreenTest {
    @get:Rule val rule = createComposeRule()
    @get:Rule val tmp = TemporaryFolder()

    private fun UiPhone.order(): WorkOrderScreen = (state.body as? Screen.WorkOrder)?.v1
        ?: error("expected the Work order screen, got ${state.body::class.simpleName}")

    private fun UiPhone.action(): ActionScreen = (state.body as? Screen.Action)?.v1
        ?: error("expected the Action screen, got ${state.body::class.simpleName}")

    /** From Today, the office's order opened by a tap on its line. */
    private fun openTheOrder(phone: UiPhone, office: Office) {
        val today = (phone.state.body as Screen.Today).v1 as TodayScreen
        val line = today.lines.first { it.orderId != null && office.orderNumber in it.title }
        CrewDay.shownText(phone, line.title).performClick()
        rule.waitForIdle()
        assertTrue(office.orderNumber in phone.order().title, phone.order().title)
    }

    /** Taps the button of [event] by the core's label, after checking it is drawn enabled. */
    private fun press(phone: UiPhone, event: OrderEvent) {
        val index = phone.order().actions.indexOfFirst { it.event == event }
        check(index >= 0) { "no button for $event" }
        val button = phone.order().actions[index]
        CrewDay.shown(phone, "order.action.$index").assertIsEnabled()
        CrewDay.shownText(phone, button.action.label).performClick()
        rule.waitForIdle()
    }

    @Test fun `a crew member accepts the order, goes, checks in at the door and sees its steps`() {
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), CrewDay.now()).use { phone ->
                CrewDay.enrolled(phone, office)
                openTheOrder(phone, office)

                // Drawn whole: facts, the regulated clocks, and Accept as the primary action.
                val order = phone.order()
                CrewDay.shown(phone, "order.facts").assertIsDisplayed()
                assertTrue(order.countdowns.isNotEmpty(), "a pipeline fault runs against its clocks")
                CrewDay.shown(phone, "order.countdown.0").assertIsDisplayed()
                val accept = order.actions.indexOfFirst { it.event == OrderEvent.ACCEPT }
                assertEquals(order.actions.indexOfFirst { it.action.enabled }, accept, "Accept is the first step open")
                // Drawn as the primary action (56 dp); the household file is a plain button.
                CrewDay.shown(phone, "order.action.$accept").assertHeightIsAtLeast(Touch.Primary)
                val file = order.actions.indexOfFirst { it.event == OrderEvent.OPEN_HOUSEHOLD }
                val fileHeight = CrewDay.shown(phone, "order.action.$file").fetchSemanticsNode().size.height
                assertTrue(with(rule.density) { fileHeight.toDp() } < Touch.Primary, "the household button is not primary")

                // Minutes pass: the Activity's timer ticks and the clocks move on the screen.
                val before = order.countdowns.first().remaining
                phone.tick(3)
                val after = phone.order().countdowns.first().remaining
                assertTrue(after != before, "$before, then $after")
                CrewDay.shownText(phone, after).assertIsDisplayed()

                press(phone, OrderEvent.ACCEPT)
                press(phone, OrderEvent.ON_THE_WAY)
                // At the door of HZ-0001: the TestPlatform answers the core's Locate with it.
                phone.platform.position = app.doorstep.ui.shell.Fix(30.27101, 120.12102, 6.0)
                press(phone, OrderEvent.CHECK_IN)

                val steps = phone.order().steps
                CrewDay.render(phone, "order-on-site")
                assertTrue(CrewDay.checkTouchTargets(phone) > 0, "order-on-site: every tappable element is big enough and says what it is")
                assertTrue(steps.size >= 3, steps.toString())
                steps.indices.forEach { CrewDay.shown(phone, "order.step.$it").assertIsDisplayed() }
                CrewDay.shownText(phone, steps.last().status).assertIsDisplayed()
                // Close is open once on site; Accept is not any more.
                assertTrue(phone.order().actions.single { it.event == OrderEvent.CLOSE }.action.enabled)
                assertTrue(phone.order().actions.none { it.event == OrderEvent.ACCEPT && it.action.enabled })

                CrewDay.sync(phone)
                val delivery = office.admin("order", "delivery", office.orderNumber).lines()
                assertTrue(delivery.any { it.startsWith("accepted\t20") }, delivery.toString())
                assertEquals(1L, CrewDay.held(office, "work_order", office.orderNumber, "\"on_site\""))
            }
        }
    }

    @Test fun `an order is handed back with a reason typed on the Action screen, refused beside the field when the reason does not do`() {
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), CrewDay.now()).use { phone ->
                CrewDay.enrolled(phone, office)
                openTheOrder(phone, office)
                press(phone, OrderEvent.ACCEPT)
                press(phone, OrderEvent.HAND_BACK)

                // Nothing typed: Submit is disabled and says which field is wanted.
                val empty = phone.action()
                assertTrue(CrewDay.checkTouchTargets(phone) > 0, "action: every tappable element is big enough and says what it is")
                rule.onNodeWithTag("action.submit").assertIsNotEnabled()
                val why = empty.submit.disabledReason!!
                assertTrue(empty.fields.single().label in why, why)
                rule.onNodeWithTag("action.submit").performClick()
                rule.waitForIdle()
                rule.onNodeWithText(why).assertIsDisplayed()
                assertEquals(empty, phone.action(), "a tap on a disabled Submit sends nothing")

                // A reason longer than the order takes: refused beside the field, nothing written.
                CrewDay.shown(phone, "action.field.reason").performTextInput("管".repeat(501))
                rule.waitForIdle()
                assertEquals(501, phone.action().fields.single().value.length, "the field holds what was typed")
                rule.onNodeWithTag("action.submit").assertIsEnabled().performClick()
                rule.waitForIdle()
                val refused = phone.action().fields.single().problem
                assertTrue(refused != null && "500" in refused, refused.toString())
                CrewDay.shown(phone, "action.problem.reason").assertIsDisplayed()
                CrewDay.render(phone, "action-hand-back-refused")
                assertTrue(CrewDay.checkTouchTargets(phone) > 0, "action-hand-back-refused: every tappable element is big enough and says what it is")
                CrewDay.shownText(phone, refused).assertIsDisplayed()

                // The reason typed anew: handed back, the order shown with the core's notice.
                CrewDay.shown(phone, "action.field.reason").performTextClearance()
                CrewDay.shown(phone, "action.field.reason").performTextInput("不属于本班组辖区")
                rule.waitForIdle()
                assertEquals(null, phone.action().fields.single().problem, "a change clears the refusal")
                rule.onNodeWithTag("action.submit").performClick()
                rule.waitForIdle()
                val notice = phone.state.notice!!.text
                assertTrue("退回" in notice, notice)
                rule.onNodeWithTag("notice").assertIsDisplayed()
                phone.order()

                CrewDay.sync(phone)
                assertEquals(1L, CrewDay.held(office, "work_order", office.orderNumber, "不属于本班组辖区"))
            }
        }
    }
}
