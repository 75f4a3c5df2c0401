package app.doorstep.ui.screens

import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.assertIsSelected
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.hasAnyAncestor
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onFirst
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextReplacement
import app.doorstep.core.ActionField
import app.doorstep.core.ActionFieldView
import app.doorstep.core.ActionScreen
import app.doorstep.core.Office
import app.doorstep.core.OrderEvent
import app.doorstep.core.Screen
import app.doorstep.ui.UiPhone
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.time.Instant
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * The Action screen's time fields: an equipment fault's appointment moved with the day and
 * time pickers, the window refused beside its end while it ends before it starts. The phone's
 * clock and the order's report are set by hand so that the calendar shows a known month.
 */
class ActionScreenTest {
    @get:Rule val rule = createComposeRule()
    @get:Rule val tmp = TemporaryFolder()

    private val number = "WO-20261207-007"

    private fun UiPhone.action(): ActionScreen = (state.body as? Screen.Action)?.v1
        ?: error("expected the Action screen, got ${state.body::class.simpleName}")

    private fun UiPhone.field(field: ActionField): ActionFieldView = action().fields.single { it.field == field }

    /** A day of the calendar under [picker], by its number (its sentence names the whole date). */
    private fun day(picker: String, day: Int): androidx.compose.ui.test.SemanticsNodeInteraction {
        val alone = Regex("(?<!\\d)$day(?!\\d)")
        val named = SemanticsMatcher("day $day") { node ->
            (node.config.getOrNull(SemanticsProperties.Text) ?: emptyList()).any { alone.containsMatchIn(it.text) } ||
                (node.config.getOrNull(SemanticsProperties.ContentDescription) ?: emptyList<String>()).any { alone.containsMatchIn(it) }
        }
        return rule.onAllNodes(named and hasClickAction() and hasAnyAncestor(hasTestTag(picker))).onFirst()
    }

    /** The hour box of the time under [picker]. */
    private fun hour(picker: String) =
        rule.onAllNodes(hasSetTextAction() and hasAnyAncestor(hasTestTag("$picker.time"))).onFirst()

    @Test fun `a crew member moves an equipment fault's appointment with the pickers, refused while it ends before it starts`() {
        Office.open(tmp.root.toPath()).use { office ->
            office.admin(
                "order", "create", "--number", number, "--kind", "user_equipment_fault", "--source", "phone",
                "--household", "HZ-0002", "--assignee", office.technician, "--description", "热水器打不着火",
                "--reported-at", "2026-12-07T09:30:00+08:00",
                "--appointment-from", "2026-12-08T09:00:00+08:00", "--appointment-to", "2026-12-08T11:00:00+08:00",
            )
            UiPhone(rule, tmp.newFolder("phone").toPath(), "2026-12-07T10:00:00+08:00").use { phone ->
                CrewDay.enrolled(phone, office)
                val today = (phone.state.body as Screen.Today).v1
                CrewDay.shownText(phone, today.lines.first { number in it.title }.title).performClick()
                rule.waitForIdle()
                val order = (phone.state.body as Screen.WorkOrder).v1
                CrewDay.shown(phone, "order.appointment").assertIsDisplayed()
                CrewDay.tap(phone, "order.action." + order.actions.indexOfFirst { it.event == OrderEvent.CHANGE_APPOINTMENT })

                // The window in force, as the core words it.
                val from = phone.field(ActionField.WindowFrom)
                assertEquals(Instant.parse("2026-12-08T01:00:00Z"), from.time)
                CrewDay.shownText(phone, from.value).assertIsDisplayed()

                assertTrue(CrewDay.checkTouchTargets(phone) > 0, "every tappable element is big enough and says what it is")

                // From: the 20th, at 12:00 — after the window's end.
                CrewDay.tap(phone, "action.field.window_from")
                CrewDay.shown(phone, "action.picker.window_from").assertIsDisplayed()
                day("action.picker.window_from", 20).performClick()
                rule.waitForIdle()
                assertEquals(Instant.parse("2026-12-20T01:00:00Z"), phone.field(ActionField.WindowFrom).time)
                hour("action.picker.window_from").performTextReplacement("12")
                rule.waitForIdle()
                assertEquals(Instant.parse("2026-12-20T04:00:00Z"), phone.field(ActionField.WindowFrom).time)
                CrewDay.capture(phone, "action-appointment-picker")
                CrewDay.tap(phone, "action.field.window_from")

                rule.onNodeWithTag("action.submit").performClick()
                rule.waitForIdle()
                val refused = phone.field(ActionField.WindowTo).problem
                assertTrue(refused != null, phone.action().toString())
                CrewDay.shown(phone, "action.problem.window_to").assertIsDisplayed()
                CrewDay.shownText(phone, refused).assertIsDisplayed()

                // To: the 20th, at 14:00. Saved, and back on the order with the core's notice.
                CrewDay.tap(phone, "action.field.window_to")
                day("action.picker.window_to", 20).performClick()
                rule.waitForIdle()
                hour("action.picker.window_to").performTextReplacement("14")
                rule.waitForIdle()
                assertEquals(Instant.parse("2026-12-20T06:00:00Z"), phone.field(ActionField.WindowTo).time)
                assertEquals(null, phone.field(ActionField.WindowTo).problem, "a change clears the refusal")
                rule.onNodeWithTag("action.submit").performClick()
                rule.waitForIdle()
                assertTrue((phone.state.body as? Screen.WorkOrder) != null, phone.state.body.toString())
                val notice = phone.state.notice!!.text
                assertTrue("改约" in notice, notice)
                val appointment = (phone.state.body as Screen.WorkOrder).v1.appointment!!
                CrewDay.shownText(phone, appointment.value).assertIsDisplayed()

                CrewDay.sync(phone)
                assertEquals(1L, CrewDay.held(office, "work_order", number, "2026-12-20T04:00:00"))
            }
        }
    }

    /** Today → the office's order → its household file, by taps. */
    private fun openTheFile(phone: UiPhone, office: Office) {
        val today = (phone.state.body as Screen.Today).v1
        CrewDay.shownText(phone, today.lines.first { office.orderNumber in it.title }.title).performClick()
        rule.waitForIdle()
        val order = (phone.state.body as Screen.WorkOrder).v1
        CrewDay.tap(phone, "order.action." + order.actions.indexOfFirst { it.event == OrderEvent.OPEN_HOUSEHOLD })
        check(phone.state.body is Screen.Household) { "expected the Household screen" }
    }

    @Test fun `a technician adds the household's second number, drops an extra one, and is refused a number that is not one`() {
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), CrewDay.now()).use { phone ->
                CrewDay.enrolled(phone, office)
                openTheFile(phone, office)
                CrewDay.tap(phone, "household.edit_contact")
                assertEquals("13812345678", phone.field(ActionField.Phone(0u)).value)

                CrewDay.tap(phone, "action.add_phone")
                assertEquals("", phone.field(ActionField.Phone(1u)).value)
                rule.onNodeWithTag("action.submit").assertIsNotEnabled()
                CrewDay.shown(phone, "action.field.phone.1").performTextInput("12")
                rule.waitForIdle()
                rule.onNodeWithTag("action.submit").assertIsEnabled().performClick()
                rule.waitForIdle()
                val refused = phone.field(ActionField.Phone(1u)).problem
                assertTrue(refused != null, phone.action().toString())
                CrewDay.shown(phone, "action.problem.phone.1").assertIsDisplayed()
                CrewDay.shownText(phone, refused).assertIsDisplayed()

                // A third line added by mistake, removed by its own button.
                CrewDay.tap(phone, "action.add_phone")
                assertEquals(3, phone.action().fields.count { it.field is ActionField.Phone })
                CrewDay.tap(phone, "action.remove_phone.2")
                assertEquals(2, phone.action().fields.count { it.field is ActionField.Phone })

                CrewDay.shown(phone, "action.field.phone.1").performTextReplacement("13700001111")
                rule.waitForIdle()
                assertEquals("13700001111", phone.field(ActionField.Phone(1u)).value)
                rule.onNodeWithTag("action.submit").performClick()
                rule.waitForIdle()
                val file = (phone.state.body as? Screen.Household)?.v1 ?: error("expected the file again: ${phone.state.body}")
                assertEquals(listOf("13812345678", "13700001111"), file.phones.map { it.number })
                rule.onNodeWithTag("notice").assertIsDisplayed()
                CrewDay.tap(phone, "household.call.1")
                assertTrue("call 13700001111" in phone.platform.done, phone.platform.done.toString())

                CrewDay.sync(phone)
                assertEquals(1L, CrewDay.held(office, "household", "HZ-0001", "13700001111"))
            }
        }
    }

    @Test fun `a technician opens a major pipeline fault at the door by choosing its kind and class`() {
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), CrewDay.now()).use { phone ->
                CrewDay.enrolled(phone, office)
                openTheFile(phone, office)
                CrewDay.tap(phone, "household.open_order")
                assertTrue(phone.action().fields.none { it.field == ActionField.FaultClass }, "no class before the kind")

                CrewDay.tap(phone, "action.choice.kind.pipeline_fault")
                val kind = phone.field(ActionField.Kind)
                assertTrue(kind.choices.single { it.id == "pipeline_fault" }.chosen)
                CrewDay.shown(phone, "action.choice.kind.pipeline_fault").assertIsSelected()
                CrewDay.tap(phone, "action.choice.fault_class.major")
                assertTrue(phone.field(ActionField.FaultClass).choices.single { it.id == "major" }.chosen)
                CrewDay.shown(phone, "action.field.description").performTextInput("表前阀门断裂漏气")
                rule.waitForIdle()
                rule.onNodeWithTag("action.submit").assertIsEnabled().performClick()
                rule.waitForIdle()

                val notice = phone.state.notice!!.text
                assertTrue("YD-" in notice, notice)
                assertTrue(phone.state.body is Screen.Household, phone.state.body.toString())
                CrewDay.sync(phone)
                assertEquals(1L, CrewDay.held(office, "work_order", "表前阀门断裂漏气", "\"major\""))
            }
        }
    }
}
