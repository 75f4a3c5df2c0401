package app.doorstep.ui.screens

import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import app.doorstep.core.CopyScreen
import app.doorstep.core.Event
import app.doorstep.core.FormEvent
import app.doorstep.core.Office
import app.doorstep.core.OrderEvent
import app.doorstep.core.Paper
import app.doorstep.core.Screen
import app.doorstep.ui.UiPhone
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.nio.file.Files
import java.nio.file.Path
import kotlin.test.assertEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** A copy for the customer: a sealed visit's report printed and shared from the Copy screen. */
class CopyScreenTest {
    @get:Rule val rule = createComposeRule()
    @get:Rule val tmp = TemporaryFolder()

    private fun UiPhone.copy(): CopyScreen = (state.body as? Screen.Copy)?.v1
        ?: error("expected the Copy screen, got ${state.body::class.simpleName}")

    @Test fun `the customer's visit report is printed and shared from the copy screen`() {
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), CrewDay.now()).use { phone ->
                CrewDay.enrolled(phone, office)
                // To the household file by taps; a safety education started, answered and sealed.
                val today = (phone.state.body as Screen.Today).v1
                CrewDay.shownText(phone, today.lines.first { office.orderNumber in it.title }.title).performClick()
                rule.waitForIdle()
                val order = (phone.state.body as Screen.WorkOrder).v1
                CrewDay.tap(phone, "order.action." + order.actions.indexOfFirst { it.event == OrderEvent.OPEN_HOUSEHOLD })
                CrewDay.tap(phone, "household.start.safety_education")
                CrewDay.fillForm(phone, signer = "张伟")
                CrewDay.send(phone, Event.Form(FormEvent.Seal))
                val sealed = CrewDay.form(phone).sealed
                assertTrue(sealed != null && sealed.copies.any { it.paper == Paper.VISIT_REPORT }, sealed.toString())
                CrewDay.send(phone, Event.Form(FormEvent.OpenCopy(Paper.VISIT_REPORT)))

                val copy = phone.copy()
                assertNull(copy.problem)
                CrewDay.render(phone, "copy")
                assertTrue(CrewDay.checkTouchTargets(phone) > 0, "copy: every tappable element is big enough and says what it is")
                rule.onNodeWithText(copy.title).assertIsDisplayed()
                CrewDay.shownText(phone, copy.description).assertIsDisplayed()
                copy.summary.forEach { CrewDay.shownText(phone, it.value).assertIsDisplayed() }

                rule.onNodeWithTag("copy.print").assertIsEnabled().performClick()
                rule.waitForIdle()
                val printed = phone.platform.done.single { it.startsWith("print ") }.removePrefix("print ")
                assertEquals(copy.fileName, Path.of(printed).fileName.toString())
                assertTrue(Files.size(Path.of(printed)) > 0, "the paper is written whole before it is printed")
                assertTrue(Files.readString(Path.of(printed)).contains("张伟"), "the customer's paper names the customer")

                rule.onNodeWithTag("copy.share").assertIsEnabled().performClick()
                rule.waitForIdle()
                val shared = phone.platform.done.single { it.startsWith("share ") }.removePrefix("share ")
                assertTrue(Files.exists(Path.of(shared)), shared)
                phone.copy()
            }
        }
    }
}
