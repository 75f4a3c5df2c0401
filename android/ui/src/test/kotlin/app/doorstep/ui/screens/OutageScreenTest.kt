package app.doorstep.ui.screens

import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import app.doorstep.core.Office
import app.doorstep.core.OutageScreen
import app.doorstep.core.Screen
import app.doorstep.ui.UiPhone
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.time.Duration
import java.time.Instant
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** The outage notice: the office announces a planned outage, the phone posts it at the building. */
class OutageScreenTest {
    @get:Rule val rule = createComposeRule()
    @get:Rule val tmp = TemporaryFolder()

    private fun UiPhone.outage(): OutageScreen = (state.body as? Screen.Outage)?.v1
        ?: error("expected the Outage screen, got ${state.body::class.simpleName}")

    @Test fun `a technician posts the outage notice at the building and the office sees its households told`() {
        Office.open(tmp.root.toPath()).use { office ->
            UiPhone(rule, tmp.newFolder("phone").toPath(), CrewDay.now()).use { phone ->
                CrewDay.enrolled(phone, office)
                val starts = Instant.parse(phone.app.nowIso()).plus(Duration.ofDays(2))
                val outage = office.admin(
                    "outage", "create", "--title", "文三路管网检修停气", "--reason", "pipeline_inspection",
                    "--starts", starts.toString(), "--ends", starts.plus(Duration.ofHours(8)).toString(),
                    "--district", office.district,
                )
                CrewDay.sync(phone)

                // Today's banner opens the notice.
                CrewDay.tap(phone, "today.outage")
                val screen = phone.outage()
                CrewDay.shownText(phone, "文三路管网检修停气").assertIsDisplayed()
                CrewDay.shownText(phone, screen.reason).assertIsDisplayed()
                CrewDay.shownText(phone, screen.period).assertIsDisplayed()
                CrewDay.shownText(phone, screen.progress).assertIsDisplayed()
                screen.deadline?.let { CrewDay.shown(phone, "outage.deadline").assertIsDisplayed() }
                val building = screen.buildings.single()
                CrewDay.render(phone, "outage")
                assertTrue(CrewDay.checkTouchTargets(phone) > 0, "outage: every tappable element is big enough and says what it is")
                assertEquals(listOf("张伟", "王秀英"), building.households.map { it.name }.sorted())
                building.households.forEach { CrewDay.shownText(phone, it.name).assertIsDisplayed() }

                // The notice posted at the entrance: every household of the building told.
                CrewDay.shown(phone, "outage.post_notice." + building.key).assertIsEnabled()
                CrewDay.tap(phone, "outage.post_notice." + building.key)
                val notice = phone.state.notice!!.text
                assertTrue("2 户已通知" in notice, notice)
                rule.onNodeWithTag("notice").assertIsDisplayed()
                val after = phone.outage()
                assertEquals("已通知 1/1 栋", after.progress)
                CrewDay.shownText(phone, after.progress).assertIsDisplayed()
                CrewDay.shown(phone, "outage.post_notice." + building.key).assertIsNotEnabled()
                after.buildings.single().postNotice.disabledReason?.let { CrewDay.shownText(phone, it).assertIsDisplayed() }

                CrewDay.sync(phone)
                val told = office.admin("outage", "households", outage).lines()
                assertEquals(2, told.count { "\tnotice_posted 20" in it }, told.toString())
            }
        }
    }
}

